/**
 * Test helpers for the store: real files in temp folders (the archive's fixtures), source trees
 * turned into entries as the backup service does, trees compared byte for byte, and a disk port
 * that dies at its n-th call, as a SIGKILL would: nothing after it reaches the disk, not even the
 * clean-up of the code that was running.
 */
import { createReadStream } from 'node:fs';
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeStoreFiles } from '../../../infra/fs/node-store-files.js';
import type { EntrySource } from '../archive/format.js';
import type { ChunkerOptions } from './chunker.js';
import { BackupStore } from './backup-store.js';
import type { StoreFileReader, StoreFileWriter, StoreFiles } from './store-files.js';
import { openConfig } from './store-crypto.js';
import type { StoreContext } from './store-layout.js';
import { generated, sha256Of, tempFolder } from '../archive/fixtures.test-support.js';

export { generated, sha256Of, tempFolder, testKey } from '../archive/fixtures.test-support.js';

export const realFiles = nodeStoreFiles();

/** Pieces of 4 to 64 KiB (about 12 KiB on average): chunking shows on a few hundred KiB. */
export const SMALL_PIECES: ChunkerOptions = { min: 4096, max: 64 * 1024, mask: 0xffe00000 | 0 };

export function openStore(root: string, key: Uint8Array, files: StoreFiles = realFiles) {
  return BackupStore.open(files, root, key, { create: true });
}

/** The store's context, as a test that writes crafted files with the real keys needs it. */
export async function contextOf(root: string, key: Uint8Array): Promise<StoreContext> {
  const keys = openConfig(key, await readFile(join(root, 'config')));
  return { files: realFiles, root, keys };
}

/** Files and folders under `root` as entries under `prefix`, depth first, sorted. */
export async function* treeEntries(root: string, prefix: string): AsyncGenerator<EntrySource> {
  const info = await lstat(root);
  yield { kind: 'dir', path: prefix, mode: info.mode & 0o777 };
  for (const name of (await readdir(root)).sort()) {
    const full = join(root, name);
    const st = await lstat(full);
    if (st.isDirectory()) yield* treeEntries(full, `${prefix}/${name}`);
    else if (st.isFile()) {
      const small = st.size <= 64 * 1024;
      yield {
        kind: 'file',
        path: `${prefix}/${name}`,
        mode: st.mode & 0o777,
        // Small files come as buffers (read ahead), large ones as streams: both paths are used.
        open: async () => (small ? readFile(full) : createReadStream(full)),
      };
    }
  }
}

/** Every file and folder under `root`: relative path -> SHA-256 and mode (folders: mode only). */
export async function treeDigest(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (folder: string, rel: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const full = join(folder, name);
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(full);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isDirectory()) {
        out[path] = `dir ${mode}`;
        await walk(full, path);
      } else out[path] = `${await sha256Of(createReadStream(full))} ${mode}`;
    }
  };
  await walk(root, '');
  return out;
}

/** Restores backup `name` into a new folder and returns its digest. */
export async function restoredDigest(
  store: BackupStore,
  name: string,
): Promise<Record<string, string>> {
  const staging = join(await tempFolder(), 'staging');
  await store.extract(name, staging);
  return treeDigest(staging);
}

/** Writes `files` (relative path -> content) under `root`, creating folders. */
export async function writeTree(
  root: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

export { cp, rename, rm };

export async function bytesOf(size: number, seed: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const piece of generated(size, seed)) chunks.push(piece as Buffer);
  return Buffer.concat(chunks);
}

export interface RetentionTemplate {
  root: string;
  /** The source tree as the last backup saw it. */
  source: string;
  /** What each of b1, b2, b3 restores to. */
  expected: Record<string, Record<string, string>>;
  remove: () => Promise<void>;
}

/**
 * A store to copy for retention tests, in a folder of its own (it outlives single tests):
 * b1: a (kept by all), b (b1 only). b2: adds c (b2 only) and d (b2 and b3), so its pack is partly
 * live once b2 goes. b3: d and e. Plus the pack of a backup whose manifest was lost (all dead).
 * `scale` multiplies the file sizes (1: about 400 KB in all).
 */
export async function retentionTemplate(
  key: Uint8Array,
  scale: number,
): Promise<RetentionTemplate> {
  const folder = await mkdtemp(join(tmpdir(), 'mn-store-'));
  const source = join(folder, 'src');
  const root = join(folder, 'store');
  const store = await openStore(root, key);
  const options = { chunker: SMALL_PIECES };
  const sized = (n: number, seed: string): Promise<Buffer> => bytesOf(n * scale, seed);
  await writeTree(source, { 'a.bin': await sized(90_000, 'a'), 'b.txt': 'only in b1' });
  await store.write('b1', treeEntries(source, 'f'), {}, options);
  await writeTree(source, { 'c.bin': await sized(60_000, 'c'), 'd.bin': await sized(70_000, 'd') });
  await store.write('b2', treeEntries(source, 'f'), {}, options);
  await rm(join(source, 'b.txt'));
  await rm(join(source, 'c.bin'));
  await writeTree(source, { 'e.bin': await sized(50_000, 'e') });
  await store.write('b3', treeEntries(source, 'f'), {}, options);
  await writeTree(source, { 'lost.bin': await sized(40_000, 'lost') });
  await store.write('lost', treeEntries(source, 'f'), {}, options);
  await rm(join(root, 'snapshots', 'lost'));
  await rm(join(source, 'lost.bin'));
  const expected: Record<string, Record<string, string>> = {};
  for (const name of ['b1', 'b2', 'b3']) expected[name] = await restoredDigest(store, name);
  return { root, source, expected, remove: () => rm(folder, { recursive: true, force: true }) };
}

/** What the dying port was doing when it died. */
export class Crash extends Error {
  constructor(readonly call: string) {
    super(`crashed at ${call}`);
  }
}

const MUTATING = new Set(['mkdir', 'create', 'write', 'sync', 'rename', 'remove', 'syncFolder']);

/**
 * A port that forwards to `inner` until its `at`-th call, which and every call after which throw
 * `Crash`. At the crash, every handle it opened is closed (the kernel does that for a dead process).
 * `calls` lists every call made (to count points), `crashedAt` the fatal one.
 */
export function dyingFiles(inner: StoreFiles, at: number) {
  const calls: string[] = [];
  const handles: Array<StoreFileWriter | StoreFileReader> = [];
  let dead = false;
  let crashedAt: string | undefined;
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    if (dead) throw new Crash(name);
    calls.push(name);
    if (calls.length === at) {
      dead = true;
      crashedAt = name;
      for (const handle of handles) await handle.close().catch(() => undefined);
      throw new Crash(name);
    }
    return run();
  };
  const files: StoreFiles = {
    list: (folder) => step('list', () => inner.list(folder)),
    kind: (path) => step('kind', () => inner.kind(path)),
    mkdir: (path, mode) => step('mkdir', () => inner.mkdir(path, mode)),
    create: (path, mode) =>
      step('create', async () => {
        const file = await inner.create(path, mode);
        handles.push(file);
        return {
          write: (parts) => step('write', () => file.write(parts)),
          chmod: (bits) => step('chmod', () => file.chmod(bits)),
          chown: (uid, gid) => step('chown', () => file.chown(uid, gid)),
          sync: () => step('sync', () => file.sync()),
          close: () => step('close', () => file.close()),
        };
      }),
    open: (path) =>
      step('open', async () => {
        const file = await inner.open(path);
        handles.push(file);
        return {
          size: file.size,
          read: (position, length) => step('read', () => file.read(position, length)),
          close: () => step('close', () => file.close()),
        };
      }),
    rename: (from, to) => step('rename', () => inner.rename(from, to)),
    remove: (path) => step('remove', () => inner.remove(path)),
    syncFolder: (folder) => step('syncFolder', () => inner.syncFolder(folder)),
    chmod: (path, mode) => step('chmod', () => inner.chmod(path, mode)),
    chown: (path, uid, gid) => step('chown', () => inner.chown(path, uid, gid)),
  };
  return {
    files,
    calls,
    crashedAt: () => crashedAt,
    /** Whether the call that killed it changed the disk (a write, rename, removal...). */
    mutating: (name: string) => MUTATING.has(name),
  };
}
