/**
 * Fakes for image-source tests: a source tree held in memory and an engine that records what it
 * was sent and answers from a script.
 */
import {
  ImageEngineError,
  type Builder,
  type BuildEvent,
  type BuildRequest,
  type ImageGateway,
  type LoadResult,
} from './image-gateway.js';
import type { EntryKind, SourceEntry, SourceTree } from './source-tree.js';

type Node =
  | { kind: 'file'; data: Uint8Array; mode: number }
  | { kind: 'dir'; mode: number }
  | { kind: 'symlink'; target: string };

/** Files by absolute path; folders are implied by the files under them (or added with `dir`). */
export class MemoryTree implements SourceTree {
  readonly nodes = new Map<string, Node>();
  /** Paths read with `read`, in order (to prove an excluded folder is never read). */
  readonly reads: string[] = [];

  file(path: string, content: string | Uint8Array, mode = 0o644): this {
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    this.nodes.set(path, { kind: 'file', data, mode });
    for (let dir = parentOf(path); dir !== '/'; dir = parentOf(dir)) {
      if (!this.nodes.has(dir)) this.nodes.set(dir, { kind: 'dir', mode: 0o755 });
    }
    return this;
  }

  symlink(path: string, target: string): this {
    this.nodes.set(path, { kind: 'symlink', target });
    return this;
  }

  async stat(path: string): Promise<{ kind: EntryKind | 'other'; size: number } | undefined> {
    const node = this.nodes.get(path);
    if (!node) return undefined;
    return { kind: node.kind, size: node.kind === 'file' ? node.data.length : 0 };
  }

  async readText(path: string): Promise<string> {
    const node = this.nodes.get(path);
    if (node?.kind !== 'file') throw new Error(`ENOENT: ${path}`);
    return new TextDecoder().decode(node.data);
  }

  async *walk(root: string, descend: (relative: string) => boolean): AsyncIterable<SourceEntry> {
    const children = (dir: string): string[] =>
      [...this.nodes.keys()].filter((p) => parentOf(p) === dir).sort();
    const nodes = this.nodes;
    const visit = async function* (dir: string): AsyncIterable<SourceEntry> {
      for (const path of children(dir)) {
        const node = nodes.get(path);
        if (!node) continue;
        const relative = path.slice(root.length + 1);
        yield {
          relative,
          kind: node.kind,
          mode: node.kind === 'symlink' ? 0o777 : node.mode,
          size: node.kind === 'file' ? node.data.length : 0,
          mtimeMs: 1_700_000_000_000,
          ...(node.kind === 'symlink' ? { linkTarget: node.target } : {}),
        };
        if (node.kind === 'dir' && descend(relative)) yield* visit(path);
      }
    };
    yield* visit(root);
  }

  async *read(path: string): AsyncIterable<Uint8Array> {
    this.reads.push(path);
    const node = this.nodes.get(path);
    if (node?.kind !== 'file') throw new Error(`ENOENT: ${path}`);
    // Small chunks, so chunk boundaries are exercised.
    for (let i = 0; i < node.data.length; i += 700) yield node.data.subarray(i, i + 700);
  }

  async readHead(path: string, bytes: number): Promise<Uint8Array> {
    const node = this.nodes.get(path);
    if (node?.kind !== 'file') throw new Error(`ENOENT: ${path}`);
    return node.data.subarray(0, bytes);
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

export interface ScriptedBuild {
  events?: BuildEvent[];
  /** Fail with this builder message after the events. */
  error?: string;
}

/** An engine that reads what it is sent and answers from a script. */
export class FakeImageGateway implements ImageGateway {
  readonly builds: Array<Omit<BuildRequest, 'context'> & { context: Buffer }> = [];
  readonly loads: Buffer[] = [];
  offered: Builder[] = ['buildkit', 'classic'];
  /** Per target; a target without a script builds in two steps. */
  script: Record<string, ScriptedBuild> = {};
  loadAnswer: LoadResult | { error: string } = { references: [], imageIds: [] };
  loadOutput: string[] = [];

  async builders(): Promise<Builder[]> {
    return this.offered;
  }

  async build(request: BuildRequest, onEvent: (event: BuildEvent) => void) {
    const context = await collect(request.context);
    this.builds.push({ ...request, context });
    const script = this.script[request.target] ?? {
      events: [
        { kind: 'step', current: 1, total: 2, name: 'FROM base', cached: true },
        { kind: 'output', line: `building ${request.target}` },
        { kind: 'step', current: 2, total: 2, name: 'COPY . .', cached: false },
      ],
    };
    for (const event of script.events ?? []) onEvent(event);
    if (script.error !== undefined) throw new ImageEngineError(script.error, ['last line']);
    return { imageId: `sha256:${String(this.builds.length).padStart(64, '0')}` };
  }

  async loadImages(archive: AsyncIterable<Uint8Array>, onOutput: (line: string) => void) {
    this.loads.push(await collect(archive));
    for (const line of this.loadOutput) onOutput(line);
    if ('error' in this.loadAnswer) throw new ImageEngineError(this.loadAnswer.error);
    return this.loadAnswer;
  }
}
