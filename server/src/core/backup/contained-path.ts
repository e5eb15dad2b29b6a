/**
 * Paths built from values an archive brings, proven to stay inside the folder they belong to. A
 * restore runs as root and renames whole folders: a name that climbs out (`..`, an absolute
 * path) or a parent that is a link would move a folder of the host.
 */
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../app-error.js';

function refused(field: string, name: string, why: string): AppError {
  return new AppError(
    'unsafe_entry',
    `The backup archive names a folder that cannot be restored safely (${field}: ${JSON.stringify(name.slice(0, 200))} ${why}).`,
    { field },
  );
}

/**
 * `root` joined with the relative `name`, when the result lies strictly inside `root` and none of
 * the folders between them is a link (the last part may be: a rename moves the link itself, not
 * what it points to). Throws `unsafe_entry` naming `field` otherwise.
 */
export async function containedPath(root: string, name: string, field: string): Promise<string> {
  if (name.includes('\0')) throw refused(field, name, 'holds a NUL byte');
  if (isAbsolute(name)) throw refused(field, name, 'is an absolute path');
  const base = resolve(root);
  const full = resolve(base, name);
  const rel = relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw refused(field, name, 'lies outside its folder');
  }
  const parts = rel.split(sep);
  let at = base;
  for (const part of parts.slice(0, -1)) {
    at = join(at, part);
    const info = await lstat(at).catch(() => undefined);
    if (info?.isSymbolicLink()) throw refused(field, name, 'lies under a link');
    if (info && !info.isDirectory()) throw refused(field, name, 'lies under a file');
  }
  return full;
}
