/**
 * Free space before a restore stages anything. Until commit the data folder holds the live
 * folders, their staged replacements and, in PostgreSQL's folder, a second database beside the
 * live one: the archive's whole content lands there at once. A disk that fills half-way through
 * staging fails late and leaves the host short of space, so the restore is refused up front.
 */
import { dirname } from 'node:path';
import { statfs } from 'node:fs/promises';
import { AppError } from '../app-error.js';
import { formatBytes } from '../../contract/format-bytes.js';

/** Room kept free beyond the archive's content: metadata, the database's own overhead, logs. */
export const RESTORE_SPACE_MARGIN = 256 * 1024 ** 2;

/** Bytes free to this process in the filesystem that holds `path` (or its nearest parent). */
export async function freeBytesAt(path: string): Promise<number> {
  for (let at = path; ; at = dirname(at)) {
    const fs = await statfs(at).catch(() => undefined);
    if (fs) return fs.bavail * fs.bsize;
    if (dirname(at) === at) throw new AppError('restore_failed', `${path} cannot be read.`);
  }
}

/** Why `dataDir` cannot hold an archive of `totalBytes`, or undefined when it can. */
export async function restoreSpaceProblem(
  dataDir: string,
  totalBytes: number,
  freeBytes: (path: string) => Promise<number> = freeBytesAt,
): Promise<{ message: string; free: number; needed: number } | undefined> {
  const free = await freeBytes(dataDir);
  const needed = totalBytes + RESTORE_SPACE_MARGIN;
  if (free >= needed) return undefined;
  const message = `Only ${formatBytes(free)} is free in ${dataDir}; restoring this archive needs ${formatBytes(needed)} (its ${formatBytes(totalBytes)} of content staged beside the current data, plus ${formatBytes(RESTORE_SPACE_MARGIN)}).`;
  return { message, free, needed };
}

/** Throws `insufficient_space` when `dataDir` cannot hold an archive of `totalBytes`. */
export async function checkRestoreSpace(
  dataDir: string,
  totalBytes: number,
  freeBytes?: (path: string) => Promise<number>,
): Promise<void> {
  const problem = await restoreSpaceProblem(dataDir, totalBytes, freeBytes);
  if (problem) {
    const { message, free, needed } = problem;
    throw new AppError('insufficient_space', `${message} Nothing was changed.`, {
      field: 'dataDir',
      free,
      needed,
    });
  }
}
