/**
 * Takes, verifies and catalogues backups. A backup is written to a temporary name, renamed when
 * complete, then verified; only then is it `verified`, the one state that counts as a success.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backup, BackupKind } from '../../contract/backup-routes.js';
import { AppError } from '../app-error.js';
import { cleanArchiveLeftovers, ioError } from './archive/files.js';
import type { ArchiveReader, ArchiveWriter, Manifest } from './archive/format.js';
import { backupEntries, folderOwners, treeSize, type BackupSources } from './backup-contents.js';
import type { BackupCatalogue, BackupRecord } from './ports.js';
import type { StackState } from './stack-state.js';

export const ARCHIVE_SUFFIX = '.mnbackup';
/** The reason on a row whose removal (retention) has begun; the next start finishes it. */
const BEING_REMOVED = 'Being removed by retention.';

/** Reports a step, its percent and bytes to the job (and so to the event stream). */
export type BackupProgress = (
  step: string,
  percent?: number,
  bytes?: { done: number; total?: number },
) => void;

export interface BackupServiceDeps {
  catalogue: BackupCatalogue;
  writer: ArchiveWriter;
  reader: ArchiveReader;
  /** The stack's PostgreSQL and Redis, through exec; created on first use. */
  state: () => StackState;
  /** The local recovery key's bytes (created at install). */
  key: () => Promise<Uint8Array>;
  /** Files and folders to back up, read fresh for each backup. */
  sources: () => Promise<BackupSources>;
  backupsDir: () => string;
  appVersion: string;
  now: () => Date;
  /** Restores an archive into scratch containers and compares counts (restore-test.ts). */
  restoreTest?: (
    archive: { path: string; key: Uint8Array; manifest: Manifest },
    progress: BackupProgress,
  ) => Promise<void>;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `medianest-20260101-020000-daily.mnbackup` (UTC, so names sort by time). */
export function archiveName(at: Date, kind: BackupKind): string {
  const d = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const t = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `medianest-${d}-${t}-${kind}${ARCHIVE_SUFFIX}`;
}

/** Turns what a failed write threw into the error a user reads. */
export function backupError(error: unknown): AppError {
  return ioError(error, 'The backup');
}

export function toBackup(record: BackupRecord): Backup {
  return { ...record };
}

export class BackupService {
  constructor(private readonly deps: BackupServiceDeps) {}

  list(): Backup[] {
    return this.deps.catalogue.list().map(toBackup);
  }

  /** The path of a catalogued backup's archive. */
  pathOf(record: BackupRecord): string {
    return join(this.deps.backupsDir(), record.file);
  }

  find(id: string): BackupRecord {
    const record =
      this.deps.catalogue.get(id) ?? this.deps.catalogue.list().find((r) => r.file === id);
    if (!record)
      throw new AppError('not_found', `There is no backup ${id}; \`backups\` lists them.`);
    return record;
  }

  /**
   * Deletes a backup (retention): its row first stops counting as good, then the archive goes,
   * then the row. A crash in between leaves a row that no longer claims a good archive, and the
   * next start finishes the removal.
   */
  async remove(record: BackupRecord): Promise<void> {
    this.deps.catalogue.update(record.id, {
      state: 'missing',
      error: { code: 'not_found', message: BEING_REMOVED },
    });
    await rm(this.pathOf(record), { force: true });
    this.deps.catalogue.remove(record.id);
  }

  /**
   * At start: partial files removed, rows a crash left `running` marked failed, rows whose file
   * is gone marked missing. Returns what it did, for the log.
   */
  async recover(): Promise<{
    removedPartials: string[];
    interrupted: string[];
    missing: string[];
  }> {
    const dir = this.deps.backupsDir();
    const removedPartials = await cleanArchiveLeftovers(dir);
    const names = await readdir(dir).catch(() => [] as string[]);
    const interrupted: string[] = [];
    const missing: string[] = [];
    for (const record of this.deps.catalogue.list()) {
      if (record.state === 'missing' && record.error?.message === BEING_REMOVED) {
        await this.remove(record);
        continue;
      }
      if (record.state === 'running') {
        await rm(this.pathOf(record), { force: true });
        this.deps.catalogue.update(record.id, {
          state: 'failed',
          error: {
            code: 'backup_failed',
            message: 'Interrupted (the manager stopped during the backup).',
          },
        });
        interrupted.push(record.id);
      } else if (
        record.state !== 'failed' &&
        record.state !== 'missing' &&
        !names.includes(record.file)
      ) {
        this.deps.catalogue.update(record.id, {
          state: 'missing',
          error: { code: 'not_found', message: `${record.file} is no longer in ${dir}.` },
        });
        missing.push(record.id);
      }
    }
    return { removedPartials, interrupted, missing };
  }

  /** Takes a backup and verifies it; resolves only with a verified backup. */
  async create(kind: BackupKind, progress: BackupProgress = () => undefined): Promise<Backup> {
    const { catalogue, now } = this.deps;
    progress('Checking PostgreSQL and free space', 0);
    const state = this.deps.state();
    // Before any row exists: a stack that is down records nothing at all.
    await state.postgresReady('backup_failed');
    const sources = await this.deps.sources();
    const dir = this.deps.backupsDir();
    await this.checkSpace(dir, state);
    const createdAt = now();
    const id = randomUUID();
    const file = this.freeName(dir, archiveName(createdAt, kind));
    catalogue.insert({ id, file, kind, createdAt: createdAt.toISOString() });
    const target = join(dir, file);
    try {
      progress('Snapshotting Redis', 2);
      const redis = await state.redisSnapshot();
      progress('Counting rows', 4);
      const meta = {
        appVersion: this.deps.appVersion,
        kind,
        postgresMajor: await state.postgresMajor(),
        rowCounts: await state.rowCounts(),
        redisKeys: redis.keys,
        redisAppendOnly: redis.appendOnly,
        folders: await folderOwners(sources.dataDir, sources.folders),
        settings: sources.settings,
      };
      const estimate = await this.estimate(sources, state);
      const key = await this.deps.key();
      const { bytes, manifest } = await this.deps.writer.write(
        target,
        backupEntries(sources, state, redis.path),
        meta,
        key,
        (p) =>
          progress(`Writing ${p.path}`, 5 + Math.min(75, (p.bytes / estimate) * 75), {
            done: p.bytes,
            total: estimate,
          }),
      );
      catalogue.update(id, { state: 'complete', size: bytes });
      await this.verifyArchive(target, key, progress, 80, manifest);
      catalogue.update(id, { state: 'verified', verifiedAt: now().toISOString() });
      progress('Backup verified', 100);
      return toBackup(this.find(id));
    } catch (error) {
      const appError = backupError(error);
      await rm(target, { force: true });
      catalogue.update(id, {
        state: 'failed',
        error: { code: appError.code, message: appError.message },
      });
      throw appError;
    }
  }

  /**
   * `verify ID`: every tag and checksum, and the dump's table of contents; with `restoreTest`,
   * also a restore into scratch containers (state `verified-restorable`).
   */
  async verify(
    id: string,
    progress: BackupProgress = () => undefined,
    options: { restoreTest?: boolean } = {},
  ): Promise<Backup> {
    const record = this.find(id);
    const path = this.pathOf(record);
    const key = await this.deps.key();
    const test = options.restoreTest ? this.deps.restoreTest : undefined;
    if (options.restoreTest && !test) {
      throw new AppError('not_implemented', 'The restore test is not available here.');
    }
    const span = test ? 0.5 : 1;
    try {
      const manifest = await this.verifyArchive(
        path,
        key,
        (step, percent, bytes) => progress(step, (percent ?? 0) * span, bytes),
        0,
      );
      if (test) {
        await test({ path, key, manifest }, (step, percent) =>
          progress(step, 50 + (percent ?? 0) / 2),
        );
      }
    } catch (error) {
      const appError = error instanceof AppError ? error : backupError(error);
      if (appError.code === 'corrupt' || appError.code === 'not_an_archive') {
        this.deps.catalogue.update(record.id, {
          state: 'failed',
          error: { code: appError.code, message: appError.message },
        });
      }
      throw appError;
    }
    const verifiedAt = this.deps.now().toISOString();
    const restorable = test !== undefined || record.state === 'verified-restorable';
    this.deps.catalogue.update(record.id, {
      state: restorable ? 'verified-restorable' : 'verified',
      verifiedAt,
    });
    progress('Verified', 100);
    return toBackup(this.find(record.id));
  }

  async verifyArchive(
    path: string,
    key: Uint8Array,
    progress: BackupProgress,
    from: number,
    written?: Manifest,
  ): Promise<Manifest> {
    const size = (await stat(path)).size;
    const span = 100 - from;
    progress('Verifying checksums', from);
    let toc: string | undefined;
    // One read of the file: every tag and checksum, and the dump's table of contents on the way.
    const manifest = await this.deps.reader.verify(
      path,
      key,
      (p) =>
        progress(
          `Verifying ${p.path}`,
          from + Math.min(span, (p.bytes / Math.max(size, 1)) * span),
          { done: p.bytes, total: size },
        ),
      {
        'db/medianest.dump': async (stream) => {
          progress('Reading the database dump', from);
          toc = await this.deps.state().dumpContents(stream);
        },
      },
      written,
    );
    if (toc === undefined) throw new AppError('corrupt', 'The archive holds no database dump.');
    if (!/TABLE DATA|SCHEMA|TABLE/.test(toc)) {
      throw new AppError('corrupt', 'The database dump lists no tables.');
    }
    return manifest;
  }

  /** The name, or with `-2`, `-3`... when a backup of the same second has it (catalogue or disk). */
  private freeName(dir: string, name: string): string {
    const taken = new Set(this.deps.catalogue.list().map((r) => r.file));
    let candidate = name;
    for (let n = 2; taken.has(candidate) || existsSync(join(dir, candidate)); n += 1) {
      candidate = name.replace(ARCHIVE_SUFFIX, `-${n}${ARCHIVE_SUFFIX}`);
    }
    return candidate;
  }

  /** Bytes a backup will take at most (dump and snapshot sizes from the source, folders walked). */
  private async estimate(sources: BackupSources, state: StackState): Promise<number> {
    const dbSize = Number(
      await state.psql(`SELECT pg_database_size('medianest')`).catch(() => '0'),
    );
    let files = 0;
    for (const folder of sources.folders) files += await treeSize(join(sources.dataDir, folder));
    return Math.max(1, dbSize + files);
  }

  private async checkSpace(dir: string, state: StackState): Promise<void> {
    const fs = await statfs(dir).catch(() => undefined);
    if (!fs) throw new AppError('backup_failed', `The backups folder ${dir} cannot be read.`);
    const free = fs.bavail * fs.bsize;
    const dbSize = Number(
      await state.psql(`SELECT pg_database_size('medianest')`).catch(() => '0'),
    );
    // The dump is far smaller than the database's files; a tenth is a floor, not a promise.
    if (free < dbSize / 10 + 1024 * 1024) {
      throw new AppError(
        'insufficient_space',
        `Only ${free} bytes are free in ${dir}; a backup needs more.`,
      );
    }
  }
}
