import { lstat, opendir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DiskProbe } from '../../core/health/disk-usage.js';

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Folder sizes by walking (symbolic links not followed) and free space from statfs. */
export class NodeDiskProbe implements DiskProbe {
  async folderSize(path: string): Promise<{ bytes: number; partial: boolean } | undefined> {
    try {
      const stat = await lstat(path);
      if (!stat.isDirectory()) return { bytes: stat.isFile() ? stat.size : 0, partial: false };
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      throw error;
    }
    let bytes = 0;
    let partial = false;
    const pending = [path];
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      let handle;
      try {
        handle = await opendir(dir);
      } catch (error) {
        // A container's own user owns some folders (the database's files): count what we can read.
        if (errno(error) === 'EACCES' || errno(error) === 'EPERM') partial = true;
        else if (errno(error) !== 'ENOENT') throw error;
        continue;
      }
      for await (const entry of handle) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) pending.push(full);
        else if (entry.isFile()) {
          try {
            bytes += (await lstat(full)).size;
          } catch (error) {
            if (errno(error) === 'EACCES' || errno(error) === 'EPERM') partial = true;
            else if (errno(error) !== 'ENOENT') throw error;
          }
        }
      }
    }
    return { bytes, partial };
  }

  async filesystem(path: string): Promise<{ freeBytes: number; totalBytes: number }> {
    // A folder not created yet lives on its nearest existing parent's file system.
    for (let current = path; ; current = dirname(current)) {
      try {
        const fs = await statfs(current);
        return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
      } catch (error) {
        if (errno(error) !== 'ENOENT' || dirname(current) === current) throw error;
      }
    }
  }
}
