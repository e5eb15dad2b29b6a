/**
 * The alerts area: core's alerts service on SQLite, the webhook transport and the slow inputs read
 * from this machine (disk, served certificate, the backup catalogue).
 */
import { statfs } from 'node:fs/promises';
import { createAlertsService, type AlertsService } from '../core/alerts/alerts-service.js';
import { readSlowInputs } from '../core/alerts/slow-inputs.js';
import { readSchedule } from '../core/backup/backup-schedule.js';
import { lastVerifiedBackup } from '../core/backup/last-verified.js';
import { settingsUpdateHistory } from '../core/updates/update-history.js';
import { FetchWebhookTransport } from '../infra/net/webhook-transport.js';
import { SqliteAlerts } from '../infra/store/sqlite-alerts.js';
import { SqliteBackups } from '../infra/store/sqlite-backups.js';
import {
  certbotAttemptRecord,
  servedCertificateNotAfter,
} from '../infra/tls/served-certificate.js';
import type { AppContext } from './context.js';
import type { AlertsOptions } from './server-types.js';

/** When the newest verified backup of this home was made, from the catalogue alone. */
export function lastSuccessfulBackupAt(ctx: AppContext): Date | undefined {
  return lastVerifiedBackup(new SqliteBackups(ctx.db).list());
}

export function createAlerts(ctx: AppContext, options: AlertsOptions = {}): AlertsService {
  const { lastSuccessfulBackupAt: lastBackup, ...timings } = options;
  return createAlertsService({
    ...timings,
    store: new SqliteAlerts(ctx.db),
    settings: ctx.settings,
    transport: new FetchWebhookTransport(),
    publish: ctx.publish,
    subscribe: ctx.subscribe,
    health: () => ctx.health(),
    warn: (message, details) => ctx.logger.warn(message, details),
    now: ctx.now,
    slowInputs: () =>
      readSlowInputs({
        settings: ctx.settings,
        stackConfig: ctx.stackConfig,
        defaultDataDir: ctx.paths.dataDir,
        secretsDir: ctx.paths.secretsDir,
        disk: (dir) =>
          statfs(dir)
            .then((s) => ({ freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }))
            .catch(() => undefined),
        certificateNotAfter: servedCertificateNotAfter,
        certbotAttempt: certbotAttemptRecord,
        lastUpdate: () => settingsUpdateHistory(ctx.settings).list()[0],
        schedule: () => readSchedule(ctx.settings),
        lastSuccessfulBackupAt: lastBackup ?? (() => lastSuccessfulBackupAt(ctx)),
        now: ctx.now,
      }),
  });
}
