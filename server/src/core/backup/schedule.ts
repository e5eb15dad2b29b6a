/**
 * When scheduled backups run (docs/backup-retention.md): pure functions of the schedule, the time
 * zone, the slots already run, and `now` (the injected clock). A slot is one local date of one
 * kind; it is identified by that date, so a slot never runs twice, whatever the clock does.
 *
 * The scheduler's loop: at start and whenever it wakes, run once if `missedRuns` is not empty,
 * record `markRun` of those slots, then sleep until `nextRun(...).at`, run, `markRun`, repeat.
 */
import { z } from 'zod';
import { BackupScheduleSchema, type BackupSchedule } from '../../contract/backup-routes.js';
import { AppError } from '../app-error.js';
import {
  addDays,
  instantOf,
  isTimeZone,
  localDateOf,
  weekdayOf,
  type LocalDate,
} from './schedule-zone.js';

export type SlotKind = 'daily' | 'weekly';

/** One scheduled run: its kind, the local date it belongs to, and the instant it is due. */
export interface Slot {
  kind: SlotKind;
  date: LocalDate;
  at: Date;
}

/** The local date of the last slot run of each kind; absent before the first one. */
export type LastRuns = Partial<Record<SlotKind, LocalDate>>;

/** The seed's schedule: daily at 02:00, weekly on Sunday at 04:00; keep 7 daily and 4 weekly. */
export const DEFAULT_BACKUP_SCHEDULE: BackupSchedule = {
  daily: { enabled: true, time: '02:00' },
  weekly: { enabled: true, weekday: 0, time: '04:00' },
  retention: { daily: 7, weekly: 4 },
};

export const TimeZoneSchema = z
  .string()
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');

/** The schedule and the zone its times are in, validated; messages name the field. */
export function parseScheduleSettings(input: unknown): {
  schedule: BackupSchedule;
  timeZone: string;
} {
  const result = BackupScheduleSchema.extend({ timeZone: TimeZoneSchema }).safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'schedule';
    throw new AppError('validation_failed', `${field}: ${issue?.message ?? 'is invalid'}`, {
      field,
    });
  }
  const { timeZone, ...schedule } = result.data;
  return { schedule, timeZone };
}

/** How far a search for a slot looks before giving up (a zone that skips days, a bad weekday). */
const HORIZON_DAYS = 14;

function slotOn(
  schedule: BackupSchedule,
  kind: SlotKind,
  date: LocalDate,
  zone: string,
): Slot | undefined {
  const plan = schedule[kind];
  if (!plan.enabled) return undefined;
  if (kind === 'weekly' && weekdayOf(date) !== schedule.weekly.weekday) return undefined;
  const at = instantOf(date, plan.time, zone);
  return at && { kind, date, at };
}

const kinds: SlotKind[] = ['daily', 'weekly'];

/** The first day a slot of `kind` may still run on: after the last one run, never before `floor`. */
function firstOpenDate(last: LocalDate | undefined, floor: LocalDate): LocalDate {
  return last !== undefined && last >= floor ? addDays(last, 1) : floor;
}

/**
 * The next scheduled run strictly after `now`, with every slot due at that same instant (the daily
 * and weekly slots can coincide: one backup serves both). Undefined when nothing is enabled.
 */
export function nextRun(
  schedule: BackupSchedule,
  zone: string,
  lastRuns: LastRuns,
  now: Date,
): { at: Date; slots: Slot[] } | undefined {
  const found: Slot[] = [];
  for (const kind of kinds) {
    // From yesterday: around a DST change an instant can belong to the previous local date.
    let date = firstOpenDate(lastRuns[kind], addDays(localDateOf(now, zone), -1));
    for (let i = 0; i < HORIZON_DAYS; i += 1, date = addDays(date, 1)) {
      const slot = slotOn(schedule, kind, date, zone);
      if (slot && slot.at > now) {
        found.push(slot);
        break;
      }
    }
  }
  const first = Math.min(...found.map((slot) => slot.at.getTime()));
  const slots = found.filter((slot) => slot.at.getTime() === first);
  return slots.length > 0 ? { at: new Date(first), slots } : undefined;
}

/**
 * The slots that came due while nothing ran them (the machine was off or asleep): at most the
 * newest one of each kind, to be served by one backup now, never one per missed day. A kind that
 * has never run has nothing missed: its schedule starts with its first slot.
 */
export function missedRuns(
  schedule: BackupSchedule,
  zone: string,
  lastRuns: LastRuns,
  now: Date,
): Slot[] {
  const missed: Slot[] = [];
  for (const kind of kinds) {
    const last = lastRuns[kind];
    if (last === undefined) continue;
    let date = addDays(localDateOf(now, zone), 1);
    for (let i = 0; i < HORIZON_DAYS && date > last; i += 1, date = addDays(date, -1)) {
      const slot = slotOn(schedule, kind, date, zone);
      if (slot && slot.at <= now) {
        missed.push(slot);
        break;
      }
    }
  }
  return missed;
}

/** The slots run so far after `slots` ran: each kind's date only ever moves forward. */
export function markRun(lastRuns: LastRuns, slots: readonly Slot[]): LastRuns {
  const next = { ...lastRuns };
  for (const slot of slots) {
    const last = next[slot.kind];
    if (last === undefined || slot.date > last) next[slot.kind] = slot.date;
  }
  return next;
}
