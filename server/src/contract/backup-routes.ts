import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { JobAcceptedSchema } from './stack-routes.js';

/** Why a backup was taken: by hand, by the daily or weekly schedule, or before a restore. */
export const BackupKindSchema = z.enum(['manual', 'daily', 'weekly', 'safety']);
export type BackupKind = z.infer<typeof BackupKindSchema>;

/**
 * Where a backup stands. `running`: being written. `complete`: written, not yet verified (never
 * shown as a success). `verified`: every tag, checksum and the dump's table of contents checked.
 * `verified-restorable`: also restored into scratch containers with matching row and key counts.
 * `failed`: see `error`. `missing`: the catalogue knows it but its file is gone.
 */
export const BackupStateSchema = z.enum([
  'running',
  'complete',
  'verified',
  'verified-restorable',
  'failed',
  'missing',
]);
export type BackupState = z.infer<typeof BackupStateSchema>;

/** One backup as the catalogue lists it. */
export const BackupSchema = z.object({
  id: z.string(),
  /** File name inside the backups folder (`medianest-20260101-020000-daily.mnbackup`). */
  file: z.string(),
  kind: BackupKindSchema,
  state: BackupStateSchema,
  /** Archive size in bytes (0 until written). */
  size: z.number(),
  /** ISO time the backup started. */
  createdAt: z.string(),
  /** ISO time of the last successful verification, when any. */
  verifiedAt: z.string().optional(),
  /** Why it failed (state `failed` or `missing`). */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type Backup = z.infer<typeof BackupSchema>;

/** What an archive holds, read from its authenticated manifest: shown before a restore. */
export const BackupPreflightSchema = z.object({
  format: z.number(),
  createdAt: z.string(),
  appVersion: z.string().optional(),
  postgresMajor: z.number().optional(),
  /** PostgreSQL major version of the stack it would be restored into. */
  targetPostgresMajor: z.number().optional(),
  /** Rows per table (`public.records`: 120). */
  rowCounts: z.record(z.string(), z.number()),
  redisKeys: z.number().optional(),
  /** Top-level folders and files with their total sizes (`uploads`: 1048576). */
  contents: z.array(z.object({ path: z.string(), files: z.number(), bytes: z.number() })),
  totalBytes: z.number(),
  /** False with `refusal` when this archive cannot be restored here (newer format or PostgreSQL). */
  restorable: z.boolean(),
  refusal: z.string().optional(),
});
export type BackupPreflight = z.infer<typeof BackupPreflightSchema>;

const TimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

/** When scheduled backups run and how many are kept (local time of the machine). */
export const BackupScheduleSchema = z.object({
  daily: z.object({ enabled: z.boolean(), time: TimeSchema }),
  /** `weekday`: 0 = Sunday ... 6 = Saturday. */
  weekly: z.object({
    enabled: z.boolean(),
    weekday: z.number().int().min(0).max(6),
    time: TimeSchema,
  }),
  retention: z.object({
    daily: z.number().int().min(1).max(365),
    weekly: z.number().int().min(1).max(520),
  }),
});
export type BackupSchedule = z.infer<typeof BackupScheduleSchema>;

/** The backups folder and how full it is. */
export const BackupStorageSchema = z.object({
  /** Absolute path of the backups folder (`<home>/backups` unless configured). */
  location: z.string(),
  /** Bytes used by the catalogue's archives. */
  usedBytes: z.number(),
  /** Bytes free on that filesystem. */
  freeBytes: z.number(),
  count: z.number(),
  /** ISO time of the newest verified backup; absent when there is none (an alert condition). */
  lastSuccessfulBackupAt: z.string().optional(),
  /** ISO time of the next scheduled run, when any is enabled. */
  nextRunAt: z.string().optional(),
  /**
   * True when the backups folder is on the same filesystem as the stack's data: one disk failure
   * loses both. Absent when it cannot be told (no stack yet).
   */
  sameDiskAsData: z.boolean().optional(),
});
export type BackupStorage = z.infer<typeof BackupStorageSchema>;

/**
 * One catalogued backup's archive as a download (`application/octet-stream`, an attachment named
 * as in the catalogue); streamed, not JSON, so outside the route table.
 */
export const BACKUP_DOWNLOAD_PATH = '/api/backups/:id/download';

/** BACKUP_DOWNLOAD_PATH for one backup. */
export function backupDownloadPath(id: string): string {
  return BACKUP_DOWNLOAD_PATH.replace(':id', encodeURIComponent(id));
}

/**
 * A backup file sent from the browser for a restore (`PUT`, body `application/octet-stream`, the
 * file's bytes; streamed to disk, not JSON, so outside the route table). Answers 201 with
 * `BackupUploadSchema`: the `upload` id the restore routes accept. 413 over the size cap, 507 when
 * the backups folder lacks the space. An upload never restored is removed after a day.
 */
export const BACKUP_UPLOAD_PATH = '/api/backups/upload';

/** An upload's id: chosen by the server, never a path. */
export const UPLOAD_ID_PATTERN = /^[0-9a-f]{32}$/;

export const BackupUploadSchema = z.object({ upload: z.string(), size: z.number() });
export type BackupUpload = z.infer<typeof BackupUploadSchema>;

/**
 * A restore: `id` of a catalogued backup, `upload` (a file sent to BACKUP_UPLOAD_PATH) or `file`
 * (an absolute path on the server's machine), with the `recoveryKey` when the archive was made
 * elsewhere (the key shown at install).
 */
export const RestoreInputSchema = z
  .object({
    id: z.string().min(1).optional(),
    upload: z.string().regex(UPLOAD_ID_PATTERN, 'must be the id the upload answered').optional(),
    file: z.string().min(1).optional(),
    recoveryKey: z.string().min(1).optional(),
  })
  .refine((v) => [v.id, v.upload, v.file].filter((given) => given !== undefined).length === 1, {
    message: 'give exactly one of id, upload or file',
    path: ['id'],
  });
export type RestoreInput = z.infer<typeof RestoreInputSchema>;

/**
 * The recovery key's place in its one-time showing: `none` before it exists, `unconfirmed` until the
 * user confirms having saved it (until then it can be shown again), `confirmed` after (never again).
 */
export const RecoveryKeyStateSchema = z.object({
  state: z.enum(['none', 'unconfirmed', 'confirmed']),
});
export type RecoveryKeyState = z.infer<typeof RecoveryKeyStateSchema>;

export const backupRoutes = {
  /** Whether this home has a recovery key and whether the user confirmed saving it. Never the key. */
  recoveryKeyState: route('GET', '/api/backups/recovery-key', { output: RecoveryKeyStateSchema }),
  /**
   * The recovery key's text, for the user to save or print: created now when the home has none.
   * Answered only until the user confirms saving it; after that, 409 `conflict`.
   */
  revealRecoveryKey: route('POST', '/api/backups/recovery-key/reveal', {
    output: z.object({ recoveryKey: z.string() }),
  }),
  /** The user saved the key: proven by its last 6 letters or digits. It is never shown again. */
  confirmRecoveryKey: route('POST', '/api/backups/recovery-key/confirm', {
    input: z.object({
      lastCharacters: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9]{6}$/, 'must be the last 6 letters or digits of the key'),
    }),
    output: RecoveryKeyStateSchema,
  }),
  /** The catalogue, newest first. */
  backups: route('GET', '/api/backups', { output: z.array(BackupSchema) }),
  /**
   * Takes a manual backup as a job (`kind: "backup"`): progress events carry the step, percent and
   * bytes; the job succeeds only once the archive has verified. 409 `busy` while another job runs.
   */
  createBackup: route('POST', '/api/backups', { output: JobAcceptedSchema }),
  /** Verifies a backup as a job (`kind: "verify"`); `restoreTest` also restores it into scratch containers. */
  verifyBackup: route('POST', '/api/backups/:id/verify', {
    input: z.object({ id: z.string().min(1), restoreTest: z.boolean().default(false) }),
    output: JobAcceptedSchema,
  }),
  /** What an archive holds and whether it can be restored here; touches nothing. */
  restorePreflight: route('POST', '/api/backups/restore/preflight', {
    input: RestoreInputSchema,
    output: BackupPreflightSchema,
  }),
  /**
   * Restores as a job (`kind: "restore"`): verify, safety snapshot, stop the app, restore into
   * staging, swap, start, health gate; on failure rolls back to the safety snapshot and the job
   * fails with the reason.
   */
  restore: route('POST', '/api/backups/restore', {
    input: RestoreInputSchema,
    output: JobAcceptedSchema,
  }),
  backupSchedule: route('GET', '/api/backups/schedule', { output: BackupScheduleSchema }),
  /** Replaces the schedule and retention; 422 naming the field when invalid. */
  setBackupSchedule: route('PUT', '/api/backups/schedule', {
    input: BackupScheduleSchema,
    output: BackupScheduleSchema,
  }),
  /** The backups folder, its sizes, the last successful backup and the next scheduled run. */
  backupStorage: route('GET', '/api/backups/storage', { output: BackupStorageSchema }),
} as const satisfies Record<string, RouteDef>;
