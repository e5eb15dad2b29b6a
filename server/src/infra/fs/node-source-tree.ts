import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { EntryKind, SourceEntry, SourceTree } from '../../core/images/source-tree.js';

const kindOf = (stats: Stats): EntryKind | 'other' =>
  stats.isFile()
    ? 'file'
    : stats.isDirectory()
      ? 'dir'
      : stats.isSymbolicLink()
        ? 'symlink'
        : 'other';

/** SourceTree on the local disk (node:fs). */
export class NodeSourceTree implements SourceTree {
  async stat(path: string): Promise<{ kind: EntryKind | 'other'; size: number } | undefined> {
    try {
      const stats = await fsp.stat(path);
      return { kind: kindOf(stats), size: stats.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  readText(path: string): Promise<string> {
    return fsp.readFile(path, 'utf8');
  }

  async *walk(root: string, descend: (relative: string) => boolean): AsyncIterable<SourceEntry> {
    // Depth-first, names sorted by code unit: the same order on every machine.
    const visit = async function* (dir: string, prefix: string): AsyncIterable<SourceEntry> {
      const names = (await fsp.readdir(dir)).sort();
      for (const name of names) {
        const path = join(dir, name);
        const relative = prefix ? `${prefix}/${name}` : name;
        const stats = await fsp.lstat(path);
        const kind = kindOf(stats);
        if (kind === 'other') continue;
        yield {
          relative,
          kind,
          mode: stats.mode & 0o7777,
          size: kind === 'file' ? stats.size : 0,
          mtimeMs: stats.mtimeMs,
          ...(kind === 'symlink' ? { linkTarget: await fsp.readlink(path) } : {}),
        };
        if (kind === 'dir' && descend(relative)) yield* visit(path, relative);
      }
    };
    yield* visit(root, '');
  }

  async *read(path: string): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
      yield chunk as Buffer;
    }
  }

  async readHead(path: string, bytes: number): Promise<Uint8Array> {
    const handle = await fsp.open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
