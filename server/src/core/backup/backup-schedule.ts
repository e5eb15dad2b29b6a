/**
 * The schedule and retention settings (stored in the settings table) and the next run they give.
 * Times are the machine's local time; the seed's schedule is the default.
 */
import { BackupScheduleSchema, type BackupSchedule } from '../../contract/backup-routes.js';
import type { SettingsRepository } from '../settings/settings-repository.js';

export const BACKUP_SCHEDULE_KEY = 'backup.schedule';

export const DEFAULT_SCHEDULE: BackupSchedule = {
  daily: { enabled: true, time: '02:00' },
  weekly: { enabled: true, weekday: 0, time: '04:00' },
  retention: { daily: 7, weekly: 4 },
};

export function readSchedule(settings: SettingsRepository): BackupSchedule {
  const parsed = BackupScheduleSchema.safeParse(settings.get(BACKUP_SCHEDULE_KEY));
  return parsed.success ? parsed.data : DEFAULT_SCHEDULE;
}

export function writeSchedule(
  settings: SettingsRepository,
  schedule: BackupSchedule,
): BackupSchedule {
  const valid = BackupScheduleSchema.parse(schedule);
  settings.set(BACKUP_SCHEDULE_KEY, valid);
  return valid;
}

/** The local-time moment after `from` at `time` (HH:MM), on `weekday` when given. */
function nextAt(from: Date, time: string, weekday?: number): Date {
  const [h = 0, m = 0] = time.split(':').map(Number);
  for (let days = 0; days <= 8; days += 1) {
    const at = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days, h, m, 0, 0);
    if (at > from && (weekday === undefined || at.getDay() === weekday)) return at;
  }
  throw new Error('unreachable: a day and time recur within eight days');
}

/** The next run of one kind after `from`; undefined when that kind is disabled. */
export function nextRunOf(
  schedule: BackupSchedule,
  kind: 'daily' | 'weekly',
  from: Date,
): Date | undefined {
  if (kind === 'weekly') {
    return schedule.weekly.enabled
      ? nextAt(from, schedule.weekly.time, schedule.weekly.weekday)
      : undefined;
  }
  return schedule.daily.enabled ? nextAt(from, schedule.daily.time) : undefined;
}

/**
 * The next scheduled run after `from` and its kind; undefined when both are disabled. When both
 * fall at the same time the weekly one runs (it stands for that day's daily too).
 */
export function nextScheduledRun(
  schedule: BackupSchedule,
  from: Date,
): { at: Date; kind: 'daily' | 'weekly' } | undefined {
  const runs: Array<{ at: Date; kind: 'daily' | 'weekly' }> = [];
  for (const kind of ['weekly', 'daily'] as const) {
    const at = nextRunOf(schedule, kind, from);
    if (at) runs.push({ at, kind });
  }
  runs.sort((a, b) => a.at.getTime() - b.at.getTime());
  return runs[0];
}
