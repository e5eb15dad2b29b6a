import { describe, expect, it } from 'vitest';
import type { BackupSchedule } from '../../contract/backup-routes.js';
import {
  DEFAULT_BACKUP_SCHEDULE as DEFAULT,
  markRun,
  missedRuns,
  nextRun,
  parseScheduleSettings,
} from './schedule.js';

const at = (iso: string): Date => new Date(iso);
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('the backup schedule', () => {
  it('runs daily at 02:00 and weekly on Sunday at 04:00 local time by default', () => {
    // Thursday 2026-11-26 10:00 in Berlin (UTC+1).
    const now = at('2026-11-26T09:00:00Z');
    expect(nextRun(DEFAULT, BERLIN, {}, now)).toEqual({
      at: at('2026-11-27T01:00:00Z'),
      slots: [{ kind: 'daily', date: '2026-11-27', at: at('2026-11-27T01:00:00Z') }],
    });
    // Sunday 03:00: the weekly run at 04:00 comes next.
    const sunday = nextRun(DEFAULT, BERLIN, { daily: '2026-11-29' }, at('2026-11-29T02:00:00Z'));
    expect(sunday?.slots).toEqual([
      { kind: 'weekly', date: '2026-11-29', at: at('2026-11-29T03:00:00Z') },
    ]);
  });

  it('runs a 02:30 that the spring-forward skips at 03:00, the first valid time after it', () => {
    const schedule: BackupSchedule = { ...DEFAULT, daily: { enabled: true, time: '02:30' } };
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z).
    expect(nextRun(schedule, BERLIN, {}, at('2026-03-28T12:00:00Z'))?.at).toEqual(
      at('2026-03-29T01:00:00Z'),
    );
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
    expect(nextRun(schedule, NEW_YORK, {}, at('2026-03-07T12:00:00Z'))?.at).toEqual(
      at('2026-03-08T07:00:00Z'),
    );
  });

  it('runs a 02:30 that the fall-back repeats once, at its first occurrence', () => {
    const schedule: BackupSchedule = {
      ...DEFAULT,
      daily: { enabled: true, time: '02:30' },
      weekly: { ...DEFAULT.weekly, enabled: false },
    };
    // Berlin, 2026-10-25: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    const first = nextRun(schedule, BERLIN, {}, at('2026-10-24T12:00:00Z'));
    expect(first?.at).toEqual(at('2026-10-25T00:30:00Z'));
    const lastRuns = markRun({}, first?.slots ?? []);
    // Right after it ran, the repeated 02:30 is not a new slot: the next is the 26th.
    expect(nextRun(schedule, BERLIN, lastRuns, at('2026-10-25T00:31:00Z'))?.at).toEqual(
      at('2026-10-26T01:30:00Z'),
    );
    expect(missedRuns(schedule, BERLIN, lastRuns, at('2026-10-25T01:45:00Z'))).toEqual([]);
  });

  it('never runs a slot twice when the clock is set back', () => {
    const lastRuns = { daily: '2026-11-26', weekly: '2026-11-22' };
    // The clock goes back from the 26th to the 24th: the 25th and 26th already ran.
    const now = at('2026-11-24T12:00:00Z');
    expect(missedRuns(DEFAULT, BERLIN, lastRuns, now)).toEqual([]);
    expect(nextRun(DEFAULT, BERLIN, lastRuns, now)?.slots).toEqual([
      { kind: 'daily', date: '2026-11-27', at: at('2026-11-27T01:00:00Z') },
    ]);
  });

  it('runs once for all the slots missed while the machine was off', () => {
    const lastRuns = { daily: '2026-11-10', weekly: '2026-11-08' };
    // Off from the 10th to the 26th at 09:00: 16 daily and 2 weekly slots missed.
    const missed = missedRuns(DEFAULT, BERLIN, lastRuns, at('2026-11-26T08:00:00Z'));
    expect(missed).toEqual([
      { kind: 'daily', date: '2026-11-26', at: at('2026-11-26T01:00:00Z') },
      { kind: 'weekly', date: '2026-11-22', at: at('2026-11-22T03:00:00Z') },
    ]);
    const after = markRun(lastRuns, missed);
    expect(after).toEqual({ daily: '2026-11-26', weekly: '2026-11-22' });
    expect(missedRuns(DEFAULT, BERLIN, after, at('2026-11-26T08:00:00Z'))).toEqual([]);
  });

  it('has nothing missed before the first run, and no next run when both are off', () => {
    expect(missedRuns(DEFAULT, BERLIN, {}, at('2026-11-26T08:00:00Z'))).toEqual([]);
    const off: BackupSchedule = {
      ...DEFAULT,
      daily: { enabled: false, time: '02:00' },
      weekly: { ...DEFAULT.weekly, enabled: false },
    };
    expect(nextRun(off, BERLIN, {}, at('2026-11-26T08:00:00Z'))).toBeUndefined();
  });

  it('serves a daily and a weekly slot at the same instant with one run', () => {
    const same: BackupSchedule = {
      ...DEFAULT,
      weekly: { enabled: true, weekday: 0, time: '02:00' },
    };
    const next = nextRun(same, 'UTC', {}, at('2026-11-28T12:00:00Z'));
    expect(next?.slots.map((slot) => slot.kind)).toEqual(['daily', 'weekly']);
  });

  it('validates settings with messages that name the field', () => {
    const valid = { ...DEFAULT, timeZone: BERLIN };
    expect(parseScheduleSettings(valid)).toEqual({ schedule: DEFAULT, timeZone: BERLIN });
    const bad =
      (patch: Record<string, unknown>): unknown =>
      () =>
        parseScheduleSettings({ ...valid, ...patch });
    expect(bad({ daily: { enabled: true, time: '24:00' } })).toThrow(/^daily\.time: must be HH:MM/);
    expect(bad({ weekly: { enabled: true, weekday: 7, time: '04:00' } })).toThrow(
      /^weekly\.weekday:/,
    );
    expect(bad({ retention: { daily: 400, weekly: 4 } })).toThrow(/^retention\.daily:/);
    expect(bad({ timeZone: 'Mars/Olympus' })).toThrow(/^timeZone: must be an IANA time zone/);
  });
});
