/**
 * Restore: manifest checks -> safety snapshot and staging side by side (staging reads the archive
 * once, verifying every tag and checksum, into a fresh database and a staging folder) -> stop the
 * app -> swap in -> start -> health gate -> commit, or roll back. Nothing that runs changes before
 * the archive has verified and the safety snapshot exists. The previous database and folders are
 * kept aside (renamed) until commit, so a rollback is a rename back; the journal row makes an
 * interrupted restore undone at the next start.
 */
import { stat } from 'node:fs/promises';
import type { Backup, BackupPreflight } from '../../contract/backup-routes.js';
import { AppError } from '../app-error.js';
import { ARCHIVE_FORMAT_VERSION, type ArchiveReader, type Manifest } from './archive/format.js';
import { parseArchiveMeta, type ArchiveMeta } from './archive/meta.js';
import type { BackupProgress, BackupService } from './backup-service.js';
import type { RestoreJournal, StackControl } from './ports.js';
import { startRestorePrerequisites } from './restore-prerequisites.js';
import type { RecoveryOutcome } from './interrupted-work.js';
import { cleanSwap, swapBack, swapIn, swapLayout } from './restore-swap.js';
import { stageRestore } from './restore-staging.js';
import { DB_NAME, PREVIOUS_DB, RESTORE_DB, type StackState } from './stack-state.js';
import { removeTree } from './archive/file-batches.js';
import { checkRestoreSpace, restoreSpaceProblem } from './restore-space.js';

/** Services stopped while the data is swapped; PostgreSQL stays up to run the restore. */
const APP_SERVICES = ['backend', 'frontend', 'nginx'];
const STOPPED = ['redis', ...APP_SERVICES];

export type RestoreSource = { id: string } | { file: string; key: Uint8Array };

export interface RestoreServiceDeps {
  backups: BackupService;
  reader: ArchiveReader;
  state: () => StackState;
  stack: () => StackControl;
  journal: RestoreJournal;
  localKey: () => Promise<Uint8Array>;
  /** The stack's data folder. */
  dataDir: () => Promise<string>;
  now: () => Date;
  /** Bytes free in the filesystem holding a path; statfs when absent. */
  freeBytes?: (path: string) => Promise<number>;
}

export interface RestoreResult {
  restoredFrom: string;
  safetyBackup?: Backup;
  rowCounts: Record<string, number>;
}

/** The archive's meta through its schema: hostile values are refused before any use. */
const metaOf = (manifest: Manifest): ArchiveMeta => parseArchiveMeta(manifest.meta);

export class RestoreService {
  constructor(private readonly deps: RestoreServiceDeps) {}

  private async open(
    source: RestoreSource,
  ): Promise<{ path: string; key: Uint8Array; label: string }> {
    if ('id' in source) {
      const record = this.deps.backups.find(source.id);
      return {
        path: this.deps.backups.pathOf(record),
        key: await this.deps.localKey(),
        label: record.file,
      };
    }
    if (!(await stat(source.file).catch(() => undefined))?.isFile()) {
      throw new AppError('validation_failed', `file: ${source.file} is not a file.`, {
        field: 'file',
      });
    }
    return { path: source.file, key: source.key, label: source.file };
  }

  /** What the archive holds and whether it can be restored here; changes nothing. */
  async preflight(source: RestoreSource): Promise<BackupPreflight> {
    const { path, key } = await this.open(source);
    const manifest = await this.deps.reader.readManifest(path, key);
    const meta = metaOf(manifest);
    let target: number | undefined;
    try {
      target = await this.deps.state().postgresMajor();
    } catch {
      target = undefined;
    }
    const contents = new Map<string, { files: number; bytes: number }>();
    for (const entry of manifest.entries) {
      const parts = entry.path.split('/');
      const top = parts[0] === 'files' ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
      const row = contents.get(top) ?? { files: 0, bytes: 0 };
      if (entry.kind === 'file') {
        row.files += 1;
        row.bytes += entry.size;
      }
      contents.set(top, row);
    }
    // Space is worth asking about only for a stack that runs (its data folder is then known).
    const refusal =
      this.refusal(manifest, target) ??
      (
        await restoreSpaceProblem(
          await this.deps.dataDir(),
          manifest.entries.totalBytes,
          this.deps.freeBytes,
        )
      )?.message;
    return {
      format: manifest.format,
      createdAt: manifest.createdAt,
      ...(meta.appVersion ? { appVersion: meta.appVersion } : {}),
      ...(meta.postgresMajor !== undefined ? { postgresMajor: meta.postgresMajor } : {}),
      ...(target !== undefined ? { targetPostgresMajor: target } : {}),
      rowCounts: meta.rowCounts ?? {},
      ...(meta.redisKeys !== undefined ? { redisKeys: meta.redisKeys } : {}),
      contents: [...contents].map(([p, v]) => ({ path: p, ...v })),
      totalBytes: manifest.entries.totalBytes,
      restorable: refusal === undefined,
      ...(refusal ? { refusal } : {}),
    };
  }

  private refusal(manifest: Manifest, targetMajor: number | undefined): string | undefined {
    if (manifest.format > ARCHIVE_FORMAT_VERSION) {
      return `The archive is format ${manifest.format}; this version of the app reads up to ${ARCHIVE_FORMAT_VERSION}. Update the app first.`;
    }
    const major = metaOf(manifest).postgresMajor;
    // A stopped PostgreSQL is no refusal: the restore starts it, then checks its version.
    if (major !== undefined && targetMajor !== undefined && major > targetMajor) {
      return `The archive holds a PostgreSQL ${major} database; this stack runs PostgreSQL ${targetMajor}, which cannot read it.`;
    }
    return undefined;
  }

  async restore(
    source: RestoreSource,
    progress: BackupProgress = () => undefined,
  ): Promise<RestoreResult> {
    const { path, key, label } = await this.open(source);
    const state = this.deps.state();
    await startRestorePrerequisites(this.deps.stack(), state, progress);
    progress('Verifying the archive', 0);
    // The header and the authenticated manifest: a wrong key, a newer format or a newer PostgreSQL
    // is refused here, before anything is written anywhere.
    let manifest: Manifest | undefined = await this.deps.reader.readManifest(path, key);
    metaOf(manifest);
    const refusal = this.refusal(manifest, await state.postgresMajor());
    if (refusal) throw new AppError('restore_failed', refusal);
    const layout = swapLayout(await this.deps.dataDir());
    await checkRestoreSpace(layout.dataDir, manifest.entries.totalBytes, this.deps.freeBytes);
    this.deps.journal.write({
      step: 'staging',
      source: label,
      startedAt: this.deps.now().toISOString(),
    });
    // The safety snapshot reads the live state; staging reads the archive once (every tag and
    // checksum on the way) into a fresh database and a staging folder. Neither changes what runs,
    // so they go side by side.
    const share = { safety: 0, staging: 0 };
    const overall = (): number => 2 + (share.safety + share.staging) * 0.33;
    const staging = stageRestore({
      reader: this.deps.reader,
      path,
      key,
      manifest,
      meta: metaOf(manifest),
      staging: layout.staging,
      dataDir: layout.dataDir,
      state,
      progress: (step, percent, bytes) => {
        share.staging = percent ?? share.staging;
        progress(step, overall(), bytes);
      },
    });
    // Only staging needs the manifest (100k files: ~8 MB); it goes once staging is done, not
    // when the safety snapshot, which keeps its own, is.
    manifest = undefined;
    const [safety, staged] = await Promise.allSettled([
      this.deps.backups.create('safety', (step, percent, bytes) => {
        share.safety = percent ?? share.safety;
        progress(`Safety snapshot: ${step}`, overall(), bytes);
      }),
      staging,
    ]);
    if (safety.status === 'rejected' || staged.status === 'rejected') {
      // Nothing live was touched: staging goes, and a snapshot of an unchanged state is not kept.
      await this.discardStaging();
      if (safety.status === 'fulfilled')
        await this.deps.backups.remove(this.deps.backups.find(safety.value.id));
      if (staged.status === 'rejected') throw staged.reason;
      const reason = safety.status === 'rejected' ? (safety.reason as Error).message : '';
      throw new AppError(
        'restore_failed',
        `The safety snapshot of the current state failed, so nothing was changed: ${reason}`,
      );
    }
    const safetyBackup = safety.value;
    const folders = staged.value;
    let rowCounts: Record<string, number>;
    try {
      progress('Stopping the app', 70);
      this.deps.journal.write({ step: 'swapping', source: label, startedAt: '' });
      await this.deps.stack().stop(STOPPED);
      progress('Swapping in the restored data', 75);
      await state.renameDatabase(DB_NAME, PREVIOUS_DB);
      await state.renameDatabase(RESTORE_DB, DB_NAME);
      await swapIn(layout, folders);
      this.deps.journal.write({ step: 'starting', source: label, startedAt: '' });
      progress('Starting the app (health gate)', 85);
      await this.deps.stack().start(STOPPED);
      progress('Committing', 95);
      rowCounts = await state.rowCounts();
      // From here the restored data stays: a crash or an error finishes the commit, never rolls
      // back (the previous database may already be gone while its folders are not).
      this.deps.journal.write({ step: 'committing', source: label, startedAt: '' });
    } catch (error) {
      const reason = error instanceof AppError ? error.message : (error as Error).message;
      progress('Rolling back', 90);
      try {
        await this.rollback();
      } catch (rollbackError) {
        throw new AppError(
          'restore_failed',
          `The restore failed (${reason}) and so did the rollback (${(rollbackError as Error).message}); the safety snapshot ${safetyBackup.file} holds the previous state.`,
        );
      }
      throw new AppError(
        'restore_failed',
        `The restore failed and the previous state was put back: ${reason}`,
        { safetyBackup: safetyBackup.id },
      );
    }
    await this.finishCommit();
    progress('Restored', 100);
    return { restoredFrom: label, safetyBackup, rowCounts };
  }

  /** The previous database and folders go; the restore is done. Safe to run again. */
  private async finishCommit(): Promise<void> {
    await this.deps.state().dropDatabase(PREVIOUS_DB);
    await cleanSwap(swapLayout(await this.deps.dataDir()));
    this.deps.journal.clear();
  }

  /** A restore that never got past staging: the staging database and folder go, nothing else. */
  private async discardStaging(): Promise<void> {
    await this.deps.state().dropDatabase(RESTORE_DB);
    await removeTree(swapLayout(await this.deps.dataDir()).staging);
    this.deps.journal.clear();
  }

  /** Puts the previous database and folders back and starts the app. Idempotent. */
  async rollback(options: { startApp?: boolean } = {}): Promise<void> {
    const state = this.deps.state();
    await this.deps
      .stack()
      .stop(STOPPED)
      .catch(() => undefined);
    const databases = await state.databases();
    if (databases.includes(PREVIOUS_DB)) {
      await state.dropDatabase(DB_NAME);
      await state.renameDatabase(PREVIOUS_DB, DB_NAME);
    }
    await state.dropDatabase(RESTORE_DB);
    await swapBack(swapLayout(await this.deps.dataDir()));
    this.deps.journal.clear();
    if (options.startApp !== false) await this.deps.stack().start(STOPPED);
  }

  /**
   * At start: an unfinished restore is settled. One that never got past staging had not touched
   * the running stack: its staging goes and nothing is stopped. One that had passed its health
   * gate and begun its commit is finished. Anything between is rolled back. Returns what was done
   * and to which restore, when there was one. `startApp: false` leaves the app stopped after a
   * rollback, for a caller that starts it itself (an interrupted update's rollback).
   */
  async recover(
    options: { startApp?: boolean } = {},
  ): Promise<{ source: string; outcome: RecoveryOutcome } | undefined> {
    const entry = this.deps.journal.read();
    if (!entry) return undefined;
    // Every outcome works through PostgreSQL, which a reboot or a `down` may have stopped.
    await startRestorePrerequisites(this.deps.stack(), this.deps.state());
    let outcome: RecoveryOutcome;
    if (entry.step === 'staging') {
      await this.discardStaging();
      outcome = 'discarded';
    } else if (entry.step === 'committing') {
      await this.finishCommit();
      outcome = 'committed';
    } else {
      await this.rollback(options);
      outcome = 'rolled-back';
    }
    return { source: entry.source, outcome };
  }
}
