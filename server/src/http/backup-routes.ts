import type { backupRoutes, BackupStorage, RestoreInput } from '../contract/backup-routes.js';
import { AppError } from '../core/app-error.js';
import { lastVerifiedBackup } from '../core/backup/last-verified.js';
import { readSchedule, writeSchedule } from '../core/backup/backup-schedule.js';
import type { BackupServices } from '../core/backup/backup-services.js';
import type { RestoreSource } from '../core/backup/restore-service.js';
import type { JobContext, JobRunner } from '../core/jobs/job-runner.js';
import type { SettingsRepository } from '../core/settings/settings-repository.js';
import type { BackupUploads } from './backup-upload.js';
import type { HandlersOf } from './routes.js';

export interface BackupRouteDeps {
  services: () => BackupServices;
  runner: JobRunner;
  settings: SettingsRepository;
  /** Bytes free on the filesystem of `path`. */
  freeBytes: (path: string) => Promise<number>;
  /** Whether two folders are on the same filesystem. */
  sameDisk: (a: string, b: string) => Promise<boolean>;
  /** When the next scheduled backup runs, if any is enabled. */
  nextRunAt: () => Date | undefined;
  /** Files sent from the browser, restorable by their id. */
  uploads: () => Pick<BackupUploads, 'pathOf' | 'remove'>;
}

export type BackupHandlers = HandlersOf<typeof backupRoutes>;

const reporter =
  (ctx: JobContext) =>
  (step: string, percent?: number, bytes?: { done: number; total?: number }): void =>
    ctx.progress(step, percent, bytes);

async function sourceOf(
  input: RestoreInput,
  services: ReturnType<BackupRouteDeps['services']>,
  uploads: ReturnType<BackupRouteDeps['uploads']>,
): Promise<RestoreSource> {
  if (input.id !== undefined) return { id: input.id };
  // An upload is named by the id the server gave it: the client never picks the path.
  const file = input.upload !== undefined ? uploads.pathOf(input.upload) : (input.file ?? '');
  if (!file.startsWith('/')) {
    throw new AppError('validation_failed', 'file: must be an absolute path on the server', {
      fields: { file: 'must be an absolute path on the server' },
    });
  }
  const key = input.recoveryKey
    ? services.keys.parse(input.recoveryKey)
    : await services.keys.read();
  if (!key) {
    throw new AppError(
      'validation_failed',
      'recoveryKey: needed for an archive from another machine',
      {
        fields: { recoveryKey: 'needed for an archive from another machine' },
      },
    );
  }
  return { file, key };
}

/** Settings key: when the user confirmed having saved the recovery key (ISO time). */
export const RECOVERY_KEY_CONFIRMED = 'backup.recoveryKeyConfirmedAt';

const keyTail = (text: string): string =>
  text
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-6)
    .toUpperCase();

/** Handlers of the backup routes: listings answer at once, the rest run as jobs. */
export function backupHandlers(deps: BackupRouteDeps): BackupHandlers {
  const confirmed = (): boolean => typeof deps.settings.get(RECOVERY_KEY_CONFIRMED) === 'string';
  const confirm = (): void => deps.settings.set(RECOVERY_KEY_CONFIRMED, new Date().toISOString());
  return {
    recoveryKeyState: async () => {
      if (confirmed()) return { state: 'confirmed' };
      return { state: (await deps.services().keys.read()) ? 'unconfirmed' : 'none' };
    },
    revealRecoveryKey: async () => {
      if (confirmed()) {
        throw new AppError(
          'conflict',
          'The recovery key was shown and you confirmed saving it; it is never shown again. Use the copy you saved.',
        );
      }
      const keys = deps.services().keys;
      const { key, created } = await keys.ensure();
      return { recoveryKey: created ?? keys.format(key) };
    },
    confirmRecoveryKey: async ({ lastCharacters }) => {
      if (confirmed()) return { state: 'confirmed' };
      const keys = deps.services().keys;
      const key = await keys.read();
      if (!key) throw new AppError('not_found', 'This home has no recovery key yet.');
      if (keyTail(keys.format(key)) !== lastCharacters.toUpperCase()) {
        throw new AppError(
          'validation_failed',
          'lastCharacters: does not match the end of the key',
          {
            fields: { lastCharacters: 'does not match the end of the key' },
          },
        );
      }
      confirm();
      return { state: 'confirmed' };
    },
    backups: async () => deps.services().backups.list(),
    createBackup: async () => {
      const services = deps.services();
      const { jobId } = deps.runner.start('backup', (ctx) =>
        services.backups.create('manual', reporter(ctx)),
      );
      return { jobId, kind: 'backup' };
    },
    verifyBackup: async ({ id, restoreTest }) => {
      const services = deps.services();
      services.backups.find(id);
      const { jobId } = deps.runner.start('verify', (ctx) =>
        services.backups.verify(id, reporter(ctx), { restoreTest }),
      );
      return { jobId, kind: 'verify' };
    },
    restorePreflight: async (input) => {
      const services = deps.services();
      return services.restore.preflight(await sourceOf(input, services, deps.uploads()));
    },
    restore: async (input) => {
      const services = deps.services();
      const source = await sourceOf(input, services, deps.uploads());
      // A restored upload has served its purpose; a failed one stays for another try (a day).
      const restored = async <T>(result: T): Promise<T> => {
        if (input.upload !== undefined) await deps.uploads().remove(input.upload);
        return result;
      };
      if ('file' in source && !services.installed()) {
        // First run, "restore from a backup": the manifest is authenticated now (wrong key, damage,
        // newer format answer at once), then the job installs the stack from it and restores.
        await services.restore.preflight(source);
        const { jobId } = deps.runner.start('restore', async (ctx) => {
          ctx.progress('Installing the stack from the archive', 0);
          await services.installFrom(source.file, source.key);
          // The key was typed in from the user's own copy: nothing left to show them.
          confirm();
          return restored(await services.restore.restore(source, reporter(ctx)));
        });
        return { jobId, kind: 'restore' };
      }
      // A refusal (newer format or PostgreSQL) answers now, before anything is touched.
      const preflight = await services.restore.preflight(source);
      if (!preflight.restorable) {
        throw new AppError(
          'restore_failed',
          preflight.refusal ?? 'This archive cannot be restored here.',
        );
      }
      const { jobId } = deps.runner.start('restore', async (ctx) =>
        restored(await services.restore.restore(source, reporter(ctx))),
      );
      return { jobId, kind: 'restore' };
    },
    backupSchedule: async () => readSchedule(deps.settings),
    setBackupSchedule: async (input) => writeSchedule(deps.settings, input),
    backupStorage: async (): Promise<BackupStorage> => {
      const services = deps.services();
      const rows = services.backups.list();
      const location = services.backupsDir();
      const lastGood = lastVerifiedBackup(rows);
      const next = deps.nextRunAt();
      // Unknown (no stack, no data folder yet) is not a warning.
      const sameDiskAsData = await services
        .dataDir()
        .then((dataDir) => deps.sameDisk(location, dataDir))
        .catch(() => undefined);
      return {
        location,
        usedBytes: rows.filter((r) => r.state !== 'missing').reduce((sum, r) => sum + r.size, 0),
        freeBytes: await deps.freeBytes(location),
        count: rows.length,
        ...(lastGood ? { lastSuccessfulBackupAt: lastGood.toISOString() } : {}),
        ...(next ? { nextRunAt: next.toISOString() } : {}),
        ...(sameDiskAsData !== undefined ? { sameDiskAsData } : {}),
      };
    },
  };
}
