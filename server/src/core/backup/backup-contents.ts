/**
 * What goes into a backup, as archive entries: the database dump and roles, the Redis snapshot,
 * every stateful bind folder of the stack, the configuration and the secrets. Entries are opened
 * lazily, one at a time, as the writer reaches them: nothing is staged on disk or in memory.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { EntrySource } from './archive.js';
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
  open: async () => {
    const { Readable } = await import('node:stream');
    return Readable.from([Buffer.from(data)]);
  },
});

/** Regular files and folders under `root`, depth first; links and devices are skipped. */
async function* walk(root: string, prefix: string): AsyncGenerator<EntrySource> {
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory()) return;
  yield { kind: 'dir', path: prefix, mode: info.mode & 0o777 };
  const names = (await readdir(root)).sort();
  for (const name of names) {
    const full = join(root, name);
    const st = await lstat(full);
    if (st.isDirectory()) yield* walk(full, `${prefix}/${name}`);
    else if (st.isFile()) yield fileEntry(`${prefix}/${name}`, full, st.mode);
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

/** Every entry of a backup, in archive order (the database first: restore reads it first). */
export async function* backupEntries(
  sources: BackupSources,
  state: StackState,
  redisFile: string,
): AsyncGenerator<EntrySource> {
  yield { kind: 'file', path: 'db/medianest.dump', mode: 0o600, open: () => state.dump() };
  yield { kind: 'file', path: 'db/roles.sql', mode: 0o600, open: () => state.roles() };
  yield {
    kind: 'file',
    path: 'redis/dump.rdb',
    mode: 0o600,
    open: () => state.redisFile(redisFile),
  };
  for (const folder of sources.folders) {
    yield* walk(join(sources.dataDir, folder), `files/${folder}`);
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
