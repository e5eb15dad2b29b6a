/**
 * The schedule and retention settings, stored in the settings table; the seed's schedule
 * (schedule.ts) until changed. The zone the times are in is the machine's.
 */
import { BackupScheduleSchema, type BackupSchedule } from '../../contract/backup-routes.js';
import { AppError } from '../app-error.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { DEFAULT_BACKUP_SCHEDULE } from './schedule.js';

export const BACKUP_SCHEDULE_KEY = 'backup.schedule';

export function readSchedule(settings: SettingsRepository): BackupSchedule {
  const parsed = BackupScheduleSchema.safeParse(settings.get(BACKUP_SCHEDULE_KEY));
  return parsed.success ? parsed.data : DEFAULT_BACKUP_SCHEDULE;
}

export function writeSchedule(settings: SettingsRepository, schedule: unknown): BackupSchedule {
  const parsed = BackupScheduleSchema.safeParse(schedule);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'schedule';
    throw new AppError('validation_failed', `${field}: ${issue?.message ?? 'is invalid'}`, {
      field,
    });
  }
  settings.set(BACKUP_SCHEDULE_KEY, parsed.data);
  return parsed.data;
}

/** The machine's IANA time zone. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
