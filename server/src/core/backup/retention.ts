/**
 * Which backups to keep (docs/backup-retention.md). Pure: the catalogue's records, the counts, the
 * time zone and `now` in; the ids to keep and to remove out.
 *
 * - Only good backups (verified, verified-restorable) count, and only good backups are ever
 *   removed: a failed, running, unverified or missing one changes nothing, so a failed run can
 *   never cause a good backup to be deleted.
 * - Daily: the newest good backup of each of the `retention.daily` most recent local dates that
 *   have one. Weekly: the same per ISO week (Monday to Sunday), `retention.weekly` of them. A day
 *   without a backup is skipped, not counted: a machine that was off keeps what it had.
 * - Local dates are taken in the zone recorded with the backup, else the configured one.
 * - A backup dated after `now` (the clock was set back) is always kept and takes no place.
 * - The newest good backup is always kept, whatever the counts.
 */
import type { BackupSchedule, BackupState } from '../../contract/backup-routes.js';
import { isoWeekOf, localDateOf } from './schedule-zone.js';

export interface RetentionCandidate {
  id: string;
  state: BackupState;
  /** ISO time the backup started. */
  createdAt: string;
  /** The zone the schedule was in when it ran, when the catalogue records one. */
  timeZone?: string;
}

export interface RetentionPlan {
  /** Good backups kept, with why (`daily 2026-11-26`, `weekly 2026-W48`, `newest`, `future`). */
  keep: Array<{ id: string; reasons: string[] }>;
  /** Good backups beyond the kept set: the only ones that may be deleted. */
  remove: string[];
  /** Backups retention neither counts nor removes (not good). */
  ignored: string[];
}

const GOOD: ReadonlySet<BackupState> = new Set(['verified', 'verified-restorable']);

/** Newest first; equal times by id, so the plan never depends on the catalogue's order. */
const newestFirst = (a: { at: number; id: string }, b: { at: number; id: string }): number =>
  b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function planRetention(
  backups: readonly RetentionCandidate[],
  retention: BackupSchedule['retention'],
  zone: string,
  now: Date,
): RetentionPlan {
  const reasons = new Map<string, string[]>();
  const keep = (id: string, reason: string): void => {
    reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  };
  const good = backups
    .filter((backup) => GOOD.has(backup.state))
    .map((backup) => ({ ...backup, at: Date.parse(backup.createdAt) }))
    .sort(newestFirst);
  const past = good.filter((backup) => {
    if (backup.at <= now.getTime()) return true;
    keep(backup.id, 'future');
    return false;
  });
  const bucket = (count: number, label: string, keyOf: (date: string) => string): void => {
    const newestOf = new Map<string, string>();
    for (const backup of past) {
      const key = keyOf(localDateOf(backup.at, backup.timeZone ?? zone));
      if (!newestOf.has(key)) newestOf.set(key, backup.id);
    }
    const recent = [...newestOf.keys()].sort().reverse().slice(0, count);
    for (const key of recent) keep(newestOf.get(key) as string, `${label} ${key}`);
  };
  bucket(retention.daily, 'daily', (date) => date);
  bucket(retention.weekly, 'weekly', isoWeekOf);
  if (past[0]) keep(past[0].id, 'newest');
  return {
    keep: good
      .filter((b) => reasons.has(b.id))
      .map((b) => ({ id: b.id, reasons: reasons.get(b.id) ?? [] })),
    remove: good.filter((b) => !reasons.has(b.id)).map((b) => b.id),
    ignored: backups.filter((backup) => !GOOD.has(backup.state)).map((backup) => backup.id),
  };
}
