/**
 * The backup store's disk port (core/backup/store/store-files.ts) on Node's file system. Files are
 * created with O_EXCL | O_NOFOLLOW and opened for reading with O_NOFOLLOW: nothing the store writes
 * or reads goes through a link someone put in its place.
 */
import { constants, promises as fsp } from 'node:fs';
import { fsyncFolder, writeAll } from '../../core/backup/archive/files.js';
import type {
  StoreFileReader,
  StoreFileWriter,
  StoreFiles,
  StorePathKind,
} from '../../core/backup/store/store-files.js';

const CREATE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

const missing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

export function nodeStoreFiles(): StoreFiles {
  return {
    async list(folder) {
      try {
        return await fsp.readdir(folder);
      } catch (error) {
        if (missing(error)) return [];
        throw error;
      }
    },

    async kind(path): Promise<StorePathKind | undefined> {
      try {
        const info = await fsp.lstat(path);
        return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },

    async mkdir(path, mode) {
      await fsp.mkdir(path, { mode });
    },

    async create(path, mode): Promise<StoreFileWriter> {
      const handle = await fsp.open(path, CREATE, mode);
      return {
        write: (parts) => writeAll(handle, parts),
        chmod: (bits) => handle.chmod(bits),
        chown: (uid, gid) => handle.chown(uid, gid),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },

    async open(path): Promise<StoreFileReader> {
      const handle = await fsp.open(path, READ);
      try {
        const { size } = await handle.stat();
        return {
          size,
          async read(position, length) {
            const buffer = Buffer.allocUnsafe(length);
            let done = 0;
            while (done < length) {
              const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
              if (bytesRead === 0) break;
              done += bytesRead;
            }
            return buffer.subarray(0, done);
          },
          close: () => handle.close(),
        };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    rename: (from, to) => fsp.rename(from, to),

    async remove(path) {
      await fsp.rm(path, { force: true });
    },

    // Where a folder cannot be opened for sync (Windows), the rename is as durable as it gets.
    syncFolder: fsyncFolder,

    chmod: (path, mode) => fsp.chmod(path, mode),
    chown: (path, uid, gid) => fsp.chown(path, uid, gid),
  };
}
