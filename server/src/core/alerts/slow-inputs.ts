/**
 * The alert inputs read on a slow timer (disk, certificate, certbot's last attempt, the last update, backup age): what to read is decided
 * here, the reading itself goes through the ports.
 */
import type { BackupSchedule } from '../../contract/backup-routes.js';
import type { UpdateRecord } from '../../contract/update-apply-routes.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { dataFolder, type StackConfigStore } from '../settings/stack-settings.js';
import { ALERTS_WATCHING_SINCE_KEY } from './alert-settings.js';
import { parseCertbotAttempt } from './letsencrypt-attempt.js';
import type { SlowInputs } from './rules.js';

export interface SlowInputPorts {
  settings: SettingsRepository;
  stackConfig: StackConfigStore;
  /** The home's data and secrets folders (the data folder unless configured elsewhere). */
  defaultDataDir: string;
  secretsDir: string;
  /** Free and total bytes of the file system holding `dir`; undefined when unreadable. */
  disk(dir: string): Promise<{ freeBytes: number; totalBytes: number } | undefined>;
  /** When the certificate nginx serves expires; undefined when unreadable. */
  certificateNotAfter(location: {
    dataDir: string;
    secretsDir: string;
    domain?: string;
  }): Promise<Date | undefined>;
  /** certbot's record of its last attempt (certbot-loop.sh) under the data folder; undefined when none. */
  certbotAttempt(dataDir: string): Promise<string | undefined>;
  /** The newest record of the update history; undefined when there is none. */
  lastUpdate(): UpdateRecord | undefined;
  /** The backup schedule in force. */
  schedule(): BackupSchedule;
  /** When the newest verified backup was made (the catalogue's; undefined: none yet). */
  lastSuccessfulBackupAt(): Date | undefined;
  now(): Date;
}

const DAY = 86_400_000;

/** The longest a scheduled backup may be apart: a day with daily ones, a week with weekly only. */
export function backupIntervalMs(schedule: BackupSchedule): number | undefined {
  if (schedule.daily.enabled) return DAY;
  return schedule.weekly.enabled ? 7 * DAY : undefined;
}

/** Reads the slow inputs; nothing while no stack is installed. */
export async function readSlowInputs(ports: SlowInputPorts): Promise<SlowInputs> {
  const config = ports.stackConfig.read();
  if (!config) return {};
  const dataDir = dataFolder(config, ports.defaultDataDir);
  const disk = await ports.disk(dataDir);
  const certificateNotAfter = config.profiles?.includes('tls')
    ? await ports.certificateNotAfter({
        dataDir,
        secretsDir: ports.secretsDir,
        ...(config.domain ? { domain: config.domain } : {}),
      })
    : undefined;
  // certbot runs only with a domain; a record left from an earlier domain is not this one's.
  const attemptText =
    config.profiles?.includes('tls') && config.domain
      ? await ports.certbotAttempt(dataDir)
      : undefined;
  const attempt = attemptText ? parseCertbotAttempt(attemptText) : undefined;
  const letsEncrypt = attempt?.domain === config.domain ? attempt : undefined;
  const lastUpdate = ports.lastUpdate();
  // Backup age counts from when monitoring first saw the stack installed, not from the epoch.
  let since = ports.settings.get(ALERTS_WATCHING_SINCE_KEY);
  if (typeof since !== 'string') {
    since = ports.now().toISOString();
    ports.settings.set(ALERTS_WATCHING_SINCE_KEY, since);
  }
  const intervalMs = backupIntervalMs(ports.schedule());
  return {
    ...(disk ? { disk } : {}),
    ...(certificateNotAfter ? { certificateNotAfter } : {}),
    ...(letsEncrypt ? { letsEncrypt } : {}),
    ...(lastUpdate ? { lastUpdate } : {}),
    // Without a schedule no backup is expected, so none is late.
    ...(intervalMs
      ? {
          backup: {
            lastSuccessAt: ports.lastSuccessfulBackupAt(),
            intervalMs,
            watchingSince: new Date(since as string),
          },
        }
      : {}),
  };
}
