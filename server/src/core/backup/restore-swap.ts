/**
 * The data-folder half of a restore: staged folders swapped in by rename (same filesystem as the
 * data folder, so each swap is atomic), the previous folders kept aside until commit and put back
 * on rollback. `moved.json` lists each folder before it moves, so a rollback after a crash knows
 * what to put back whatever step the crash hit.
 */
import { chown, lstat, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { removeTree } from './archive/file-batches.js';
import { containedPath } from './contained-path.js';

export interface SwapLayout {
  dataDir: string;
  /** `<dataDir>/.restore-staging`: the archive's folders, extracted and checked. */
  staging: string;
  /** `<dataDir>/.restore-previous`: the live folders while a restore is not yet committed. */
  previous: string;
}

export function swapLayout(dataDir: string): SwapLayout {
  return {
    dataDir,
    staging: join(dataDir, '.restore-staging'),
    previous: join(dataDir, '.restore-previous'),
  };
}

type Owner = { uid: number; gid: number; mode?: number };

/** Gives a staged tree to the service's user (the process runs as root on Linux hosts). */
export async function chownTree(path: string, owner: Owner): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const st = await lstat(path).catch(() => undefined);
  if (!st || st.isSymbolicLink()) return;
  await chown(path, owner.uid, owner.gid);
  if (st.isDirectory()) {
    for (const name of await readdir(path)) await chownTree(join(path, name), owner);
  }
}

export async function ownerOf(path: string): Promise<Owner | undefined> {
  const st = await lstat(path).catch(() => undefined);
  return st ? { uid: st.uid, gid: st.gid, mode: st.mode & 0o777 } : undefined;
}

async function readMoved(layout: SwapLayout): Promise<string[]> {
  try {
    return JSON.parse(await readFile(join(layout.previous, 'moved.json'), 'utf8')) as string[];
  } catch {
    return [];
  }
}

/** Swaps each staged folder (`uploads`, `redis`...) in place of the live one. */
export async function swapIn(
  layout: SwapLayout,
  folders: Array<{ name: string; staged: string }>,
): Promise<void> {
  // Every name checked before anything moves or moved.json lists it: a name never climbs out of
  // the data folder or the folder the previous data is kept in.
  const planned: Array<{ name: string; staged: string; live: string; aside: string }> = [];
  for (const { name, staged } of folders) {
    const live = await containedPath(layout.dataDir, name, 'folder');
    const aside = await containedPath(join(layout.previous, 'data'), name, 'folder');
    planned.push({ name, staged, live, aside });
  }
  await mkdir(layout.previous, { recursive: true, mode: 0o700 });
  const moved = await readMoved(layout);
  for (const { name, staged, live, aside } of planned) {
    if (!moved.includes(name)) moved.push(name);
    await writeFile(join(layout.previous, 'moved.json'), JSON.stringify(moved));
    await mkdir(dirname(aside), { recursive: true });
    if (await lstat(live).catch(() => undefined)) await rename(live, aside);
    await mkdir(dirname(live), { recursive: true });
    await rename(staged, live);
  }
}

/** Puts back every folder a swap moved aside; safe to run again after a crash part-way. */
export async function swapBack(layout: SwapLayout): Promise<void> {
  for (const name of (await readMoved(layout)).reverse()) {
    const aside = await containedPath(join(layout.previous, 'data'), name, 'moved.json');
    if (!(await lstat(aside).catch(() => undefined))) continue;
    const live = await containedPath(layout.dataDir, name, 'moved.json');
    await removeTree(live);
    await rename(aside, live);
  }
  await cleanSwap(layout);
}

export async function cleanSwap(layout: SwapLayout): Promise<void> {
  await removeTree(layout.previous);
  await removeTree(layout.staging);
}
