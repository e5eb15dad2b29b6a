/**
 * The build context of a source folder, as the Docker CLI would send it: every file the
 * .dockerignore keeps (without one: all but .git and node_modules), owned by root, as a tar stream
 * read from disk as the engine takes it. Sized up front, so an oversized context is refused before
 * a byte is sent.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../app-error.js';
import { DockerIgnore } from './dockerignore.js';
import { formatBytes } from '../../contract/format-bytes.js';
import type { SourceEntry, SourceTree } from './source-tree.js';
import { padding, TAR_END, tarHeader } from '../tar/tar.js';

/** Left out when the folder has no .dockerignore: never wanted in an image, often huge. */
export const DEFAULT_IGNORE = ['.git', '**/node_modules'];

export interface BuildContext {
  /** What goes into the context, in the order it is sent. */
  readonly entries: readonly SourceEntry[];
  readonly files: number;
  /** Bytes of file content (the tar adds a header per entry and padding). */
  readonly bytes: number;
  /** Whether DEFAULT_IGNORE applied because the folder has no .dockerignore. */
  readonly defaultIgnore: boolean;
  /**
   * The tar stream; `onBytes` hears how many content bytes have gone so far. Can be read again
   * (each build of a target reads it once).
   */
  stream(onBytes?: (done: number) => void): AsyncIterable<Uint8Array>;
  /**
   * SHA-256 (hex) of every path, kind, mode, link and content: what the images are built from.
   * Reads every file once (then remembers it).
   */
  hash(): Promise<string>;
}

export async function collectBuildContext(
  tree: SourceTree,
  root: string,
  options: {
    /** Always sent, even when .dockerignore names them (as the CLI does). */
    keep: readonly string[];
    maxBytes: number;
  },
): Promise<BuildContext> {
  const ignoreFile = `${root}/.dockerignore`;
  const hasIgnoreFile = (await tree.stat(ignoreFile))?.kind === 'file';
  const ignore = new DockerIgnore(
    hasIgnoreFile ? await tree.readText(ignoreFile) : DEFAULT_IGNORE.join('\n'),
  );
  const keep = new Set([...options.keep, '.dockerignore']);
  const kept = (relative: string): boolean => keep.has(relative) || !ignore.excludes(relative);
  const descend = (relative: string): boolean =>
    kept(relative) ||
    ignore.mayIncludeUnder(relative) ||
    [...keep].some((k) => k.startsWith(`${relative}/`));

  const entries: SourceEntry[] = [];
  let bytes = 0;
  let files = 0;
  for await (const entry of tree.walk(root, descend)) {
    if (!kept(entry.relative)) continue;
    entries.push(entry);
    if (entry.kind === 'file') {
      files++;
      bytes += entry.size;
      if (bytes > options.maxBytes) {
        const rule = `the build context is over ${formatBytes(options.maxBytes)} (at ${entry.relative}); list what the build does not need (media, build output, dependencies) in ${hasIgnoreFile ? 'its' : 'a'} .dockerignore`;
        throw new AppError('validation_failed', `sourceDir: ${rule}`, {
          fields: { sourceDir: rule },
        });
      }
    }
  }

  async function* stream(onBytes?: (done: number) => void): AsyncIterable<Uint8Array> {
    let sent = 0;
    for (const entry of entries) {
      yield tarHeader({
        name: entry.relative,
        type: entry.kind,
        mode: entry.mode,
        size: entry.size,
        mtime: Math.floor(entry.mtimeMs / 1000),
        ...(entry.linkTarget !== undefined ? { linkname: entry.linkTarget } : {}),
      });
      if (entry.kind !== 'file') continue;
      for await (const chunk of contents(entry)) {
        sent += chunk.length;
        yield chunk;
        onBytes?.(sent);
      }
      yield padding(entry.size);
    }
    yield TAR_END;
  }

  /** A file's bytes, exactly as many as its header announced. */
  async function* contents(entry: SourceEntry): AsyncIterable<Uint8Array> {
    let left = entry.size;
    for await (const chunk of tree.read(`${root}/${entry.relative}`)) {
      if (chunk.length > left) throw changedWhileSending(entry.relative);
      left -= chunk.length;
      yield chunk;
    }
    if (left > 0) throw changedWhileSending(entry.relative);
  }

  let digest: string | undefined;
  async function hash(): Promise<string> {
    if (digest !== undefined) return digest;
    const hasher = createHash('sha256');
    for (const entry of entries) {
      hasher.update(
        `${entry.kind}\0${entry.relative}\0${(entry.mode & 0o7777).toString(8)}\0${entry.linkTarget ?? ''}\0${entry.size}\0`,
      );
      if (entry.kind === 'file') for await (const chunk of contents(entry)) hasher.update(chunk);
    }
    digest = hasher.digest('hex');
    return digest;
  }

  return {
    entries,
    files,
    bytes,
    defaultIgnore: !hasIgnoreFile,
    stream,
    hash,
  };
}

function changedWhileSending(relative: string): AppError {
  return new AppError(
    'conflict',
    `sourceDir: ${relative} changed while the build context was being read; build again once the folder is still.`,
  );
}
