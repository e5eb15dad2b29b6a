/**
 * File-level helpers of the archive: the temporary name beside a target, whole gathered writes,
 * fsync of a folder, cleaning leftovers of an interrupted write, and turning a full disk into
 * `insufficient_space`. The backup store's disk adapter (infra/fs/node-store-files.ts) writes and
 * syncs with the same two.
 */
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ErrorCode } from '../../../contract/errors.js';
import { AppError } from '../../app-error.js';

const PARTIAL = /^\..+\.partial$/;

/** `.<name>.partial` beside `target`: hidden, and never a name a finished backup can have. */
export function partialPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial`);
}

/** Writes all of `parts` at the file's position, again from where a short write stopped. */
export async function writeAll(handle: FileHandle, parts: readonly Buffer[]): Promise<void> {
  let rest = parts.filter((part) => part.length > 0);
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    const left: Buffer[] = [];
    for (const part of rest) {
      if (bytesWritten >= part.length) bytesWritten -= part.length;
      else {
        left.push(bytesWritten > 0 ? part.subarray(bytesWritten) : part);
        bytesWritten = 0;
      }
    }
    rest = left;
  }
}

/** Makes a rename durable; a no-op where folders cannot be opened for sync (Windows). */
export async function fsyncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Removes the `.*.partial` files an interrupted write left in `folder` (call it at start, before
 * any backup job runs). Returns the names removed; a missing folder has none.
 */
export async function cleanArchiveLeftovers(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const leftovers = names.filter((name) => PARTIAL.test(name));
  for (const name of leftovers) await rm(join(folder, name), { force: true });
  return leftovers;
}

/** An AppError as is; a full disk as `insufficient_space`; anything else as `what` failing. */
export function ioError(
  error: unknown,
  what: string,
  fallback: ErrorCode = 'backup_failed',
): AppError {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError(
      'insufficient_space',
      `${what} failed: the disk is full. Nothing was kept; free some space and try again.`,
      undefined,
      { cause: error },
    );
  }
  return new AppError(
    fallback,
    `${what} failed${code ? ` (${code})` : ''}.`,
    code ? { errno: code } : undefined,
    { cause: error },
  );
}
