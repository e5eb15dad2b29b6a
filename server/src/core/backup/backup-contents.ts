/**
 * What goes into a backup, as archive entries: the database dump and roles, the Redis snapshot,
 * every stateful bind folder of the stack, the configuration and the secrets. Entries are opened
 * lazily, one at a time, as the writer reaches them: nothing is staged on disk or in memory.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { EntrySource } from './archive/format.js';
import { FileBatches } from './archive/file-batches.js';
import type { StackState } from './stack-state.js';

/** The files of the appliance home a backup carries, besides the data folders. */
export interface BackupSources {
  composeFile: string;
  envFile: string;
  secretsDir: string;
  /** The stack's data folder (`MEDIANEST_DATA_DIR`). */
  dataDir: string;
  /** Bind-mounted folders under dataDir holding state (`uploads`, `downloads`, `certbot/...`). */
  folders: string[];
  /** Settings (no secrets), stored as JSON. */
  settings: Record<string, unknown>;
  /** The images file the settings name, when any. */
  imagesFile?: string;
}

/** Folders a logical dump already covers, and logs, are not copied as files. */
const NOT_COPIED = new Set(['postgres', 'redis', 'logs']);

/** Stateful folders: bind sources under dataDir, less the ones covered by dumps and the logs. */
export function statefulFolders(bindSources: Iterable<string>, dataDir: string): string[] {
  const folders = new Set<string>();
  for (const source of bindSources) {
    const rel = relative(dataDir, source);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep)) continue;
    const top = rel.split(sep)[0] ?? '';
    if (NOT_COPIED.has(top)) continue;
    folders.add(rel.split(sep).join('/'));
  }
  return [...folders].sort();
}

const fileEntry = (path: string, source: string, mode: number): EntrySource => ({
  kind: 'file',
  path,
  mode: mode & 0o777,
  open: () => Promise.resolve(createReadStream(source)),
});

const bytesEntry = (path: string, data: string | Buffer, mode = 0o600): EntrySource => ({
  kind: 'file',
  path,
  mode,
  open: () => Promise.resolve(Buffer.from(data)),
});

/** Names stat'ed at once by the worker. */
const STAT_BATCH = 128;

/** A file of the walk with what `lstat` said, before it becomes an entry. */
type Found =
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'file'; path: string; source: string; mode: number; size: number };

/**
 * Regular files and folders under `root`, depth first; links and devices are skipped. The
 * `lstat`s are made by the worker, a batch at a time: a folder of 100 000 uploads never has all
 * its stats in memory at once.
 */
async function* walk(root: string, prefix: string, files: FileBatches): AsyncGenerator<Found> {
  const [info] = await files.stat([root]);
  if (!info || info instanceof Error || info.kind !== 'dir') return;
  yield { kind: 'dir', path: prefix, mode: info.mode & 0o777 };
  const names = (await readdir(root)).sort();
  for (let at = 0; at < names.length; at += STAT_BATCH) {
    const batch = names.slice(at, at + STAT_BATCH);
    const stats = await files.stat(batch.map((name) => join(root, name)));
    for (const [i, name] of batch.entries()) {
      const st = stats[i];
      if (st instanceof Error) throw st;
      const full = join(root, name);
      if (st?.kind === 'dir') yield* walk(full, `${prefix}/${name}`, files);
      else if (st?.kind === 'file') {
        yield {
          kind: 'file',
          path: `${prefix}/${name}`,
          source: full,
          mode: st.mode,
          size: st.size,
        };
      }
    }
  }
}

/** A stateful folder's entries: walked and its small files read by one worker, closed at the end. */
async function* folderEntries(root: string, prefix: string): AsyncGenerator<EntrySource> {
  const files = new FileBatches();
  try {
    yield* readAhead(walk(root, prefix, files), files);
  } finally {
    await files.close();
  }
}

/** Files at most this big are read ahead whole; bigger ones are streamed when their turn comes. */
const READ_AHEAD_FILE = 256 * 1024;
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
const READ_AHEAD_FILES = 128;
/** Small files read by the worker in one go. */
const READ_BATCH = 64;

interface Pending {
  item: Found;
  /** A small file's bytes, read ahead; undefined when it grew since the walk. */
  data?: Promise<Buffer | undefined>;
}

/**
 * The walk's files as entries, small ones read ahead in batches by a worker thread (a bounded
 * number of files and bytes in flight), so reading the next files overlaps with sealing this
 * one: thousands of small uploads are not read one round trip at a time.
 */
async function* readAhead(
  found: AsyncIterable<Found>,
  files: FileBatches,
): AsyncGenerator<EntrySource> {
  const queue: Pending[] = [];
  let group: Array<{
    path: string;
    size: number;
    resolve: (data: Buffer | undefined) => void;
    reject: (e: Error) => void;
  }> = [];
  let queuedBytes = 0;
  const send = (): void => {
    const sent = group;
    group = [];
    if (sent.length === 0) return;
    files.read(sent.map(({ path, size }) => ({ path, size }))).then(
      (results) =>
        results.forEach((result, i) =>
          result instanceof Error ? sent[i]?.reject(result) : sent[i]?.resolve(result),
        ),
      (error: Error) => sent.forEach((f) => f.reject(error)),
    );
  };
  const take = (): EntrySource => {
    const { item, data } = queue.shift()!;
    if (item.kind === 'dir') return item;
    if (!data) return fileEntry(item.path, item.source, item.mode);
    queuedBytes -= item.size;
    const { source } = item;
    return {
      kind: 'file',
      path: item.path,
      mode: item.mode & 0o777,
      // A file that grew since the walk is read whole when its turn comes.
      open: async () => (await data) ?? createReadStream(source),
    };
  };
  for await (const item of found) {
    const pending: Pending = { item };
    if (item.kind === 'file' && item.size <= READ_AHEAD_FILE) {
      const { source: path, size } = item;
      pending.data = new Promise<Buffer | undefined>((resolve, reject) =>
        group.push({ path, size, resolve, reject }),
      );
      // A file that fails to read fails the backup when its turn comes, not before.
      pending.data.catch(() => undefined);
      queuedBytes += item.size;
      if (group.length >= READ_BATCH) send();
    }
    queue.push(pending);
    while (queue.length > READ_AHEAD_FILES || queuedBytes > READ_AHEAD_BYTES) {
      // The first in line may still be in the batch being gathered.
      send();
      yield take();
    }
  }
  send();
  while (queue.length > 0) yield take();
}

/** Bytes of the regular files under `root` (for progress). */
export async function treeSize(root: string): Promise<number> {
  const files = new FileBatches();
  try {
    let bytes = 0;
    for await (const item of walk(root, '.', files)) if (item.kind === 'file') bytes += item.size;
    return bytes;
  } finally {
    await files.close();
  }
}

/** Owner of each folder, so a restore gives the files back to the service that writes them. */
export async function folderOwners(
  dataDir: string,
  folders: string[],
): Promise<Record<string, { uid: number; gid: number; mode: number }>> {
  const owners: Record<string, { uid: number; gid: number; mode: number }> = {};
  for (const folder of folders) {
    const st = await lstat(join(dataDir, folder)).catch(() => undefined);
    if (st?.isDirectory()) owners[folder] = { uid: st.uid, gid: st.gid, mode: st.mode & 0o777 };
  }
  return owners;
}

/**
 * Every entry of a backup, in archive order: the roles, then the database (a restore creates the
 * roles the dump's privileges name before it restores the dump, in one pass), then the rest.
 */
export async function* backupEntries(
  sources: BackupSources,
  state: StackState,
  redisFile: string,
): AsyncGenerator<EntrySource> {
  yield { kind: 'file', path: 'db/roles.sql', mode: 0o600, open: () => state.roles() };
  yield { kind: 'file', path: 'db/medianest.dump', mode: 0o600, open: () => state.dump() };
  yield {
    kind: 'file',
    path: 'redis/dump.rdb',
    mode: 0o600,
    open: () => state.redisFile(redisFile),
  };
  for (const folder of sources.folders) {
    yield* folderEntries(join(sources.dataDir, folder), `files/${folder}`);
  }
  yield bytesEntry('config/settings.json', JSON.stringify(sources.settings, null, 2), 0o644);
  yield bytesEntry('config/compose.yaml', await readFile(sources.composeFile), 0o644);
  const env = await readFile(sources.envFile).catch(() => undefined);
  if (env) yield bytesEntry('config/env', env, 0o644);
  if (sources.imagesFile) {
    const images = await readFile(sources.imagesFile).catch(() => undefined);
    if (images) yield bytesEntry('config/images.json', images, 0o644);
  }
  for (const name of (await readdir(sources.secretsDir)).sort()) {
    const full = join(sources.secretsDir, name);
    const st = await lstat(full);
    if (st.isFile()) yield fileEntry(`secrets/${name}`, full, 0o600);
  }
}
