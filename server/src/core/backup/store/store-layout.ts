/**
 * The store's folder (docs/backup-format.md, "Format 2: layout"):
 *
 *   config               the store's salt and key check (written once)
 *   packs/<32 hex>       pieces, sealed; immutable once renamed into place
 *   index/<32 hex>       which pieces each pack holds (a cache: packs describe themselves too)
 *   snapshots/<name>     one per backup: its files, their pieces, its metadata
 *   tmp/                 files being written; anything here is a leftover once no job runs
 *
 * Names of packs and index files are random, never derived from content. Only names of these
 * shapes are ever read or removed: anything else in the folder is left alone.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '../../app-error.js';
import type { StoreFiles } from './store-files.js';
import type { StoreKeys } from './store-crypto.js';

export const PACKS = 'packs';
export const INDEX = 'index';
export const SNAPSHOTS = 'snapshots';
export const TMP = 'tmp';
export const CONFIG = 'config';

const RANDOM_NAME = /^[0-9a-f]{32}$/;
/** A backup's name as the catalogue makes it (`medianest-20261207-020000-daily`), and no path. */
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface StoreContext {
  files: StoreFiles;
  root: string;
  keys: StoreKeys;
}

export const isRandomName = (name: string): boolean => RANDOM_NAME.test(name);
export const randomName = (): string => randomBytes(16).toString('hex');

export function checkSnapshotName(name: string): string {
  if (!SNAPSHOT_NAME.test(name) || name.endsWith('.partial')) {
    throw new AppError(
      'validation_failed',
      `A backup name is 1 to 200 letters, digits, dots, dashes or underscores, starting with a letter or digit; ${JSON.stringify(name.slice(0, 80))} is not one.`,
      { field: 'name' },
    );
  }
  return name;
}

export const isSnapshotName = (name: string): boolean =>
  SNAPSHOT_NAME.test(name) && !name.endsWith('.partial');

export const pathOf = (ctx: StoreContext, folder: string, name: string): string =>
  join(ctx.root, folder, name);

/** The temporary name in tmp/ of a file to be renamed into `folder` as `name`. */
export const partialOf = (ctx: StoreContext, folder: string, name: string): string =>
  join(ctx.root, TMP, `${folder}-${name}.partial`);

/** Renames a finished file from tmp/ into place and makes the rename durable. */
export async function commitFile(ctx: StoreContext, folder: string, name: string): Promise<void> {
  await ctx.files.rename(partialOf(ctx, folder, name), pathOf(ctx, folder, name));
  await ctx.files.syncFolder(join(ctx.root, folder));
}

/**
 * Removes what an interrupted write or prune left in tmp/. Only while no other job writes to the
 * store: the job lock guarantees it (one backup, prune or restore at a time).
 */
export async function cleanTmp(ctx: StoreContext): Promise<string[]> {
  const folder = join(ctx.root, TMP);
  const names = (await ctx.files.list(folder)).filter((name) => name.endsWith('.partial'));
  for (const name of names) await ctx.files.remove(join(folder, name));
  return names;
}
