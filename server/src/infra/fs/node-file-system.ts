import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileSystem } from '../../core/file-system.js';

async function fsyncDir(path: string): Promise<void> {
  // Makes the rename itself durable; not possible on every platform, and harmless to skip there.
  try {
    const dir = await fsp.open(path, constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    /* not supported here */
  }
}

export class NodeFileSystem implements FileSystem {
  async exists(path: string): Promise<boolean> {
    try {
      await fsp.lstat(path);
      return true;
    } catch {
      return false;
    }
  }

  readText(path: string): Promise<string> {
    return fsp.readFile(path, 'utf8');
  }

  async writeFile(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
    const dir = dirname(path);
    const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fsp.open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fsp.rename(temp, path);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
    await fsyncDir(dir);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await fsp.mkdir(path, { recursive: true, mode });
  }

  chmod(path: string, mode: number): Promise<void> {
    return fsp.chmod(path, mode);
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return fsp.chown(path, uid, gid);
  }

  async stat(path: string) {
    const s = await fsp.stat(path);
    return {
      mode: s.mode & 0o7777,
      uid: s.uid,
      gid: s.gid,
      mtimeMs: s.mtimeMs,
      isDirectory: s.isDirectory(),
    };
  }

  listDir(path: string): Promise<string[]> {
    return fsp.readdir(path);
  }

  remove(path: string): Promise<void> {
    return fsp.rm(path, { recursive: true, force: true });
  }

  uid(): number | undefined {
    return process.getuid?.();
  }
}
