import { dirname, resolve } from 'node:path';

/**
 * A folder and every folder above it, nearest first. Files shipped beside the code (package.json,
 * dist/renderer, compose-templates) are looked for this way from the running module, so they are
 * found alike from server/src, from dist/server/src and from the one-file bundles in dist/.
 */
export function foldersAbove(start: string): string[] {
  const folders: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    folders.push(dir);
    if (dirname(dir) === dir) return folders;
  }
}
