/**
 * The staging part of a restore: the archive read into a fresh database and a staging folder,
 * beside the running stack and without changing it. A staging that ends has verified the whole
 * archive (every tag and checksum), so the swap that follows only renames.
 */
import { copyFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, pipeline } from 'node:stream';
import { AppError } from '../app-error.js';
import { removeTree } from './archive/file-batches.js';
import type { ArchiveReader, Manifest } from './archive/format.js';
import { ownerByFolder, type ArchiveMeta } from './archive/meta.js';
import type { BackupProgress } from './backup-service.js';
import { containedPath } from './contained-path.js';
import { chownTree, ownerOf } from './restore-swap.js';
import { RESTORE_DB, type StackState } from './stack-state.js';

/** A cluster's roles file is a few lines; anything far bigger is not one. */
const MAX_ROLES_BYTES = 4 * 1024 * 1024;

/** A folder ready in staging, by the name it has in the data folder. */
export interface StagedFolder {
  name: string;
  staged: string;
}

export interface StagingInput {
  reader: ArchiveReader;
  path: string;
  key: Uint8Array;
  manifest: Manifest;
  /** The manifest's meta, already through its schema. */
  meta: ArchiveMeta;
  /** The staging folder (removed and made afresh). */
  staging: string;
  /** The stack's data folder: the Redis folder's owner is read there. */
  dataDir: string;
  state: StackState;
  progress: BackupProgress;
}

/**
 * Two reads of the archive side by side: the roles and the dump straight into a fresh database,
 * and a full read that checks every tag and checksum while it extracts the folders and the
 * Redis snapshot into staging (so staging that ends has verified the whole archive). Percent is
 * of this part alone.
 */
export async function stageRestore(input: StagingInput): Promise<StagedFolder[]> {
  const { reader, path, key, manifest, staging, progress } = input;
  await removeTree(staging);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const total = Math.max(1, manifest.entries.totalBytes);
  // Two reads side by side: the database part into PostgreSQL (its pace is the server's), and
  // the whole archive checked while the folders and the Redis snapshot go into staging.
  const done = { database: 0, files: 0 };
  let databaseBytes = 0;
  for (const entry of manifest.entries) {
    if (entry.path.startsWith('db/')) databaseBytes += entry.size;
  }
  const announced = new Set<string>();
  const report = (step: string): void => {
    // Each part announces itself once; while both run, one line covers both.
    const first = !announced.has(step);
    announced.add(step);
    const shown = first || announced.size === 1 ? step : 'Staging the database and files';
    const bytes = done.database + done.files;
    progress(shown, Math.min(95, (bytes / total) * 95), { done: bytes, total });
  };
  const database = restoreDatabase(reader, path, key, input.state, (bytes) => {
    done.database = bytes;
    report('Restoring the database into staging');
  });
  // Each stateful folder's files are given its recorded owner as they are written (as root).
  const owners = input.meta.folders ?? {};
  const files = reader.extract(path, key, join(staging, 'archive'), {
    prefixes: ['files/', 'redis/'],
    ...(process.getuid?.() === 0 ? { owner: (entry: string) => ownerByFolder(owners, entry) } : {}),
    onProgress: (p) => {
      if (p.path.startsWith('db/')) return;
      done.files = Math.max(0, p.bytes - databaseBytes);
      report('Extracting files into staging');
    },
  });
  const [db, extracted] = await Promise.allSettled([database, files]);
  // The full read's verdict (a damaged archive is `corrupt`) comes before pg_restore's view of it.
  if (extracted.status === 'rejected') throw extracted.reason;
  if (db.status === 'rejected') throw db.reason;
  const folders = await stagedFolders(staging, owners);
  folders.push(await stageRedis(staging, input.dataDir, input.meta));
  progress('Staged', 100);
  return folders;
}

/** The stateful folders the meta names, each proven inside staging; an empty one is created. */
async function stagedFolders(
  staging: string,
  owners: NonNullable<ArchiveMeta['folders']>,
): Promise<StagedFolder[]> {
  const folders: StagedFolder[] = [];
  for (const [name, owner] of Object.entries(owners)) {
    const staged = await containedPath(
      join(staging, 'archive', 'files'),
      name,
      `meta.folders[${JSON.stringify(name)}]`,
    );
    if (!(await stat(staged).catch(() => undefined))) {
      // An empty folder the archive did not hold: created, and only it needs an owner.
      await mkdir(staged, { recursive: true });
      await chownTree(staged, owner);
    }
    folders.push({ name, staged });
  }
  return folders;
}

/** Redis reads the snapshot at start; a folder holding only it (no AOF) makes Redis load it. */
async function stageRedis(
  staging: string,
  dataDir: string,
  meta: ArchiveMeta,
): Promise<StagedFolder> {
  const redisOwner = (await ownerOf(join(dataDir, 'redis'))) ?? {
    uid: 999,
    gid: 999,
    mode: 0o700,
  };
  const redisDir = join(staging, 'redis');
  await mkdir(redisDir, { mode: redisOwner.mode ?? 0o700 });
  await rename(join(staging, 'archive', 'redis', 'dump.rdb'), join(redisDir, 'dump.rdb'));
  if (meta.redisAppendOnly !== false) {
    // With appendonly on, Redis 7 loads only the AOF: the snapshot becomes its base file.
    const aofDir = join(redisDir, 'appendonlydir');
    await mkdir(aofDir, { mode: 0o700 });
    await copyFile(join(redisDir, 'dump.rdb'), join(aofDir, 'appendonly.aof.1.base.rdb'));
    await writeFile(
      join(aofDir, 'appendonly.aof.manifest'),
      'file appendonly.aof.1.base.rdb seq 1 type b\n',
      { mode: 0o600 },
    );
  }
  await chownTree(redisDir, redisOwner);
  return { name: 'redis', staged: redisDir };
}

/**
 * The database part of the archive: the roles this PostgreSQL lacks, then the dump straight into
 * a fresh staging database. Each entry's checksum is checked as it is read.
 */
async function restoreDatabase(
  reader: ArchiveReader,
  path: string,
  key: Uint8Array,
  state: StackState,
  onBytes: (bytes: number) => void,
): Promise<void> {
  let bytes = 0;
  for await (const { entry, stream } of reader.entries(path, key)) {
    if (!stream) continue;
    if (entry.path === 'db/roles.sql') {
      // Archives written since roles come first have them in place before the dump's grants.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > MAX_ROLES_BYTES) throw new AppError('corrupt', 'db/roles.sql is too large.');
        chunks.push(chunk as Buffer);
      }
      await state.createMissingRoles(Buffer.concat(chunks).toString('utf8'));
    } else if (entry.path === 'db/medianest.dump') {
      onBytes(bytes);
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          onBytes((bytes += chunk.length));
          next(null, chunk);
        },
      });
      // A damaged entry errors its stream; pipeline passes that on to what pg_restore reads.
      pipeline(stream, counted, () => undefined);
      await state.restoreInto(RESTORE_DB, counted);
      return;
    }
  }
  throw new AppError('corrupt', 'The archive holds no database dump.');
}
