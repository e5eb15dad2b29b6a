import { chmodSync, closeSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import { AppError } from '../../core/app-error.js';
import { messageOf } from '../../contract/errors.js';

const SHARED_BITS = 0o077;

/**
 * Creates `path` empty with mode 0600 when it is missing, and takes group and other permissions off
 * an existing one (a file made by an older version, or by hand). Done before anything secret is
 * written to it; on Windows modes mean nothing and this only creates the file.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  tightenIfShared(path);
}

/** Takes group and other permissions off `path` when it exists; nothing when it is missing. */
export function tightenIfShared(path: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & SHARED_BITS) === 0) return;
  try {
    chmodSync(path, mode & 0o700);
  } catch (error) {
    throw new AppError(
      'internal',
      `${path} is open to other users (mode ${(mode & 0o777).toString(8)}) and cannot be made private (${messageOf(error)}). As its owner: chmod 600 ${path}`,
      { path },
      { cause: error },
    );
  }
}

/**
 * Writes `data` to `path` with mode 0600 (`wx`: only a file that does not exist yet) and flushes it
 * to the disk before closing it, so a rename or a link that follows never points at a half-written
 * file after a crash.
 */
export function writeFlushed(path: string, data: string | Buffer, flags: 'w' | 'wx'): void {
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
