/**
 * Extracting a backup of the store into staging, with format 1's rules: only regular files and
 * folders, folders made as real folders (a link or file in their place is refused), files created
 * with O_EXCL | O_NOFOLLOW (never over or through anything there), given their mode and owner.
 * Small files are handed in batches to the archive's worker (archive/staging-batches.ts), as format
 * 1's extraction does: thousands of uploads are not four round trips each through the thread pool.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ManifestEntry } from '../archive/entry-table.js';
import type { ExtractLimits, ExtractOwner, Manifest } from '../archive/format.js';
import { MODE_MASK, unsafe } from '../archive/framing.js';
import { BATCH_FILE, StagingBatches } from '../archive/staging-batches.js';
import { PieceReader } from './piece-reader.js';
import { SnapshotReader } from './snapshot.js';
import type { StoreState } from './store-index.js';
import type { StoreContext } from './store-layout.js';
import { checkedManifest, fileStream, limitsWith } from './store-read.js';

export interface ExtractOptions {
  prefixes?: string[];
  limits?: Partial<ExtractLimits>;
  /** An entry named here goes to its consumer as a stream instead of into staging. */
  consume?: Record<string, (stream: Readable) => Promise<void>>;
  onProgress?: (progress: { path: string; bytes: number }) => void;
  owner?: ExtractOwner;
}

const wanted = (path: string, prefixes?: string[]): boolean =>
  !prefixes || prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** Folders and files of staging. */
class Staging {
  private readonly made = new Map<string, number>();
  private readonly batches: StagingBatches;

  constructor(
    private readonly ctx: StoreContext,
    private readonly root: string,
    private readonly owner?: ExtractOwner,
  ) {
    this.batches = new StagingBatches(owner);
  }

  async folder(relative: string, mode?: number): Promise<void> {
    let path = '';
    for (const part of relative.split('/')) {
      path = path ? `${path}/${part}` : part;
      if (this.made.has(path)) continue;
      const at = join(this.root, path);
      const kind = await this.ctx.files.kind(at);
      if (kind === undefined) {
        await this.ctx.files.mkdir(at, 0o700);
        const owner = this.owner?.(path);
        if (owner) await this.ctx.files.chown(at, owner.uid, owner.gid);
      } else if (kind !== 'dir') {
        throw unsafe(relative, 'a folder whose place in staging is taken by a file or link');
      }
      this.made.set(path, 0o755);
    }
    if (mode !== undefined) this.made.set(relative, mode);
  }

  /** Writes a file whose bytes come from `stream` (checked piece by piece as they are read). */
  async file(
    entry: ManifestEntry,
    stream: Readable,
    count: (length: number) => void,
  ): Promise<void> {
    const parent = entry.path.split('/').slice(0, -1).join('/');
    if (parent) await this.folder(parent);
    const target = join(this.root, entry.path);
    if (entry.size > BATCH_FILE) {
      await this.batches.settle();
      await this.stream(entry, target, stream, count);
      return;
    }
    // Whole and checked (its SHA-256 at the end of the stream) before it is handed to the worker.
    const data: Buffer[] = [];
    for await (const piece of stream) {
      data.push(piece as Buffer);
      count((piece as Buffer).length);
    }
    await this.batches.add(entry, target, data);
  }

  private async stream(
    entry: ManifestEntry,
    target: string,
    stream: Readable,
    count: (length: number) => void,
  ): Promise<void> {
    const file = await this.ctx.files
      .create(target, 0o600)
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw unsafe(entry.path, 'it already exists in staging');
        throw error;
      });
    try {
      for await (const piece of stream) {
        await file.write([piece as Buffer]);
        count((piece as Buffer).length);
      }
      const owner = this.owner?.(entry.path);
      if (owner) await file.chown(owner.uid, owner.gid);
      await file.chmod(entry.mode & MODE_MASK);
      await file.close();
    } catch (error) {
      await file.close().catch(() => undefined);
      await this.ctx.files.remove(target);
      throw error;
    }
  }

  /** Folders get their mode last (deepest first), the owner's rwx kept so staging can be cleaned. */
  async finish(): Promise<void> {
    await this.batches.settle();
    const folders = [...this.made.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [path, mode] of folders) {
      await this.ctx.files.chmod(join(this.root, path), (mode & MODE_MASK) | 0o700);
    }
  }

  /** Once done, failed or not: no write may still land in staging after this. */
  async close(): Promise<void> {
    await this.batches.close();
  }
}

/**
 * Extracts backup `name` into `staging` (created when missing), after its whole manifest was
 * checked. Entries outside `prefixes` are read and checked all the same, so a pass that resolves
 * has verified every piece the backup needs.
 */
export async function extractBackup(
  ctx: StoreContext,
  state: StoreState,
  name: string,
  root: string,
  options: ExtractOptions = {},
): Promise<Manifest> {
  const manifest = await checkedManifest(ctx, state, name, options.limits);
  if ((await ctx.files.kind(root)) === undefined) await ctx.files.mkdir(root, 0o700);
  const staging = new Staging(ctx, root, options.owner);
  const pieces = new PieceReader(ctx, state);
  const reader = await SnapshotReader.open(ctx, name, limitsWith(options.limits));
  let bytes = 0;
  try {
    for (let read = await reader.next(); read; read = await reader.next()) {
      const { entry, ids } = read;
      const count = (length: number): void => {
        bytes += length;
        options.onProgress?.({ path: entry.path, bytes });
      };
      count(0);
      const consumer = options.consume?.[entry.path];
      if (entry.kind === 'dir') {
        if (wanted(entry.path, options.prefixes)) await staging.folder(entry.path, entry.mode);
        continue;
      }
      const stream = fileStream(pieces, entry, ids);
      if (consumer) await consumer(stream);
      else if (wanted(entry.path, options.prefixes)) {
        await staging.file(entry, stream, count);
        continue;
      }
      // Consumed (what the consumer left) or not wanted: read and checked all the same.
      for await (const piece of stream) count((piece as Buffer).length);
    }
    await staging.finish();
    return manifest;
  } finally {
    await staging.close();
    await reader.close();
    await pieces.close();
  }
}
