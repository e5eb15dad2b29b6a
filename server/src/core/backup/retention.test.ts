import { describe, expect, it } from 'vitest';
import type { BackupState } from '../../contract/backup-routes.js';
import { planRetention, type RetentionCandidate } from './retention.js';
import { modelRandom, ZONES } from './retention-model.test-support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEED_COUNTS = { daily: 7, weekly: 4 };

const backup = (id: string, iso: string, state: BackupState = 'verified'): RetentionCandidate => ({
  id,
  createdAt: new Date(iso).toISOString(),
  state,
});

/** The plan at `now` (ISO time), with the seed's counts in UTC unless told otherwise. */
const planAt = (
  backups: RetentionCandidate[],
  now: string,
  counts: { daily: number; weekly: number } = SEED_COUNTS,
  zone = 'UTC',
) => planRetention(backups, counts, zone, new Date(now));

/** One good backup a day at 02:00 UTC, from `from` for `days` days: ids are their dates. */
const daily = (from: string, days: number): RetentionCandidate[] =>
  Array.from({ length: days }, (_, i) => {
    const date = new Date(Date.parse(`${from}T02:00:00Z`) + i * DAY).toISOString();
    return backup(date.slice(0, 10), date);
  });

const kept = (plan: ReturnType<typeof planRetention>): string[] =>
  plan.keep.map((k) => k.id).sort();

describe('retention', () => {
  it('keeps the newest of the last 7 days and of the last 4 ISO weeks by default', () => {
    // 2026-10-01 (Thursday) to 2026-11-26 (Thursday), one a day.
    const plan = planAt(daily('2026-10-01', 57), '2026-11-26T12:00:00Z');
    // ISO weeks 45-47 end on Sundays the 8th, 15th and 22nd; this week's newest is the 26th.
    const days = ['08', '15', '20', '21', '22', '23', '24', '25', '26'];
    expect(kept(plan)).toEqual(days.map((d) => `2026-11-${d}`));
    expect(plan.keep.find((k) => k.id === '2026-11-26')?.reasons).toEqual([
      'daily 2026-11-26',
      'weekly 2026-W48',
      'newest',
    ]);
    expect(plan.remove).toHaveLength(57 - 9);
  });

  it('never counts or removes a failed or unverified backup, so a failed run deletes nothing good', () => {
    const good = daily('2026-11-01', 26);
    const now = '2026-11-27T12:00:00Z';
    const before = planAt(good, now);
    const failed = [
      backup('failed-today', '2026-11-27T02:00:00Z', 'failed'),
      backup('unverified', '2026-11-27T03:00:00Z', 'complete'),
      backup('running', '2026-11-27T04:00:00Z', 'running'),
      backup('gone', '2026-11-27T05:00:00Z', 'missing'),
    ];
    const after = planAt([...good, ...failed], now);
    expect(after.keep).toEqual(before.keep);
    expect(after.remove).toEqual(before.remove);
    expect(after.ignored.sort()).toEqual(['failed-today', 'gone', 'running', 'unverified']);
  });

  it('does not let missed days push good backups out: only days that have a backup count', () => {
    // Ten days of backups, then the machine is off for three weeks.
    const plan = planAt(daily('2026-10-20', 10), '2026-11-20T12:00:00Z');
    expect(plan.keep.filter((k) => k.reasons.some((r) => r.startsWith('daily')))).toHaveLength(7);
    expect(kept(plan)).toContain('2026-10-29');
  });

  it('keeps backups dated after now (clock set back) without letting them take a place', () => {
    const backups = [...daily('2026-11-01', 10), ...daily('2027-03-01', 3)];
    const plan = planAt(backups, '2026-11-10T12:00:00Z', { daily: 2, weekly: 0 });
    expect(kept(plan)).toEqual([
      '2026-11-09',
      '2026-11-10',
      '2027-03-01',
      '2027-03-02',
      '2027-03-03',
    ]);
    expect(plan.keep.find((k) => k.id === '2027-03-01')?.reasons).toEqual(['future']);
  });

  it('takes local dates in the zone, on DST days as well', () => {
    // Berlin's fall-back day: 00:30Z is 02:30 CEST and 23:30Z is 00:30 CET of the next day.
    const backups = [
      backup('sat-late', '2026-10-24T21:30:00Z'), // 23:30 Saturday
      backup('sun-early', '2026-10-24T22:30:00Z'), // 00:30 Sunday
      backup('sun-repeat', '2026-10-25T01:30:00Z'), // the second 02:30 Sunday
      backup('mon-early', '2026-10-25T23:30:00Z'), // 00:30 Monday
    ];
    const plan = planAt(backups, '2026-10-26T12:00:00Z', { daily: 3, weekly: 0 }, 'Europe/Berlin');
    expect(kept(plan)).toEqual(['mon-early', 'sat-late', 'sun-repeat']);
    // In UTC the same four fall on the 24th (two) and the 25th (two).
    expect(kept(planAt(backups, '2026-10-26T12:00:00Z', { daily: 3, weekly: 0 }))).toEqual([
      'mon-early',
      'sun-early',
    ]);
  });

  it('uses the zone recorded with a backup over the configured one', () => {
    const a = { ...backup('tokyo-27th', '2026-11-26T16:00:00Z'), timeZone: 'Asia/Tokyo' }; // 01:00 on the 27th
    const b = backup('utc-26th', '2026-11-26T15:00:00Z');
    const plan = planAt([a, b], '2026-11-28T00:00:00Z', { daily: 2, weekly: 0 });
    expect(plan.keep.map((k) => k.reasons[0])).toEqual(['daily 2026-11-27', 'daily 2026-11-26']);
  });

  it('always keeps the newest good backup, even with both counts at 0', () => {
    const plan = planAt(daily('2026-11-01', 3), '2026-11-05T00:00:00Z', { daily: 0, weekly: 0 });
    expect(kept(plan)).toEqual(['2026-11-03']);
  });
});

// ---- the reference model ----------------------------------------------------------------------

const GOOD_STATES = new Set<BackupState>(['verified', 'verified-restorable']);
const STATES: BackupState[] = [
  'verified',
  'verified-restorable',
  'failed',
  'complete',
  'running',
  'missing',
];

const modelFormats = new Map<string, Intl.DateTimeFormat>();
function modelDate(instant: number, zone: string): string {
  let format = modelFormats.get(zone);
  if (!format) {
    const fields = { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' } as const;
    format = new Intl.DateTimeFormat('en-CA', fields);
    modelFormats.set(zone, format);
  }
  return format.format(instant);
}

function modelMonday(date: string): string {
  let day = new Date(`${date}T12:00:00Z`);
  while (day.getUTCDay() !== 1) day = new Date(day.getTime() - DAY);
  return day.toISOString().slice(0, 10);
}

/** Naive on purpose: for each backup, ask directly whether it is the newest of a recent enough bucket. */
function modelPlan(
  backups: RetentionCandidate[],
  counts: { daily: number; weekly: number },
  zone: string,
  now: Date,
) {
  const good = backups.filter((b) => GOOD_STATES.has(b.state));
  const time = (b: RetentionCandidate): number => Date.parse(b.createdAt);
  const newer = (a: RetentionCandidate, b: RetentionCandidate): boolean =>
    time(a) > time(b) || (time(a) === time(b) && a.id > b.id);
  const past = good.filter((b) => time(b) <= now.getTime());
  const keep = new Set(good.filter((b) => time(b) > now.getTime()).map((b) => b.id));
  const rules: Array<[number, (b: RetentionCandidate) => string]> = [
    [counts.daily, (b) => modelDate(time(b), b.timeZone ?? zone)],
    [counts.weekly, (b) => modelMonday(modelDate(time(b), b.timeZone ?? zone))],
  ];
  for (const [count, keyOf] of rules) {
    const keys = new Map(past.map((b) => [b, keyOf(b)]));
    const bucketOf = (b: RetentionCandidate): string => keys.get(b) as string;
    for (const b of past) {
      const isNewestOfBucket = past.every(
        (o) => o === b || bucketOf(o) !== bucketOf(b) || newer(b, o),
      );
      const newerBuckets = new Set(past.map(bucketOf).filter((k) => k > bucketOf(b)));
      if (isNewestOfBucket && newerBuckets.size < count) keep.add(b.id);
    }
  }
  const newest = past.find((b) => past.every((o) => o === b || newer(b, o)));
  if (newest) keep.add(newest.id);
  return {
    keep: [...keep].sort(),
    remove: good
      .filter((b) => !keep.has(b.id))
      .map((b) => b.id)
      .sort(),
    ignored: backups
      .filter((b) => !GOOD_STATES.has(b.state))
      .map((b) => b.id)
      .sort(),
  };
}

describe('retention against its reference model', () => {
  const { random, seed } = modelRandom();

  it(`agrees on 3000 random catalogues, and a failed run never changes the plan (seed ${seed})`, () => {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    for (let i = 0; i < 3000; i += 1) {
      const now = new Date(Date.parse('2026-01-01T00:00:00Z') + random() * 800 * DAY);
      const zone = pick(ZONES);
      const span = pick([2, 10, 40, 200]) * DAY;
      const backups: RetentionCandidate[] = Array.from(
        { length: Math.floor(random() * 50) },
        (_, k) => {
          // Mostly in the past; some in the future (the clock was set back); some sharing a time.
          const offset = random() < 0.1 ? random() * 5 * DAY : -random() * span;
          const at =
            Math.round((now.getTime() + offset) / (random() < 0.2 ? HOUR : 1000)) *
            (random() < 0.2 ? HOUR : 1000);
          const candidate: RetentionCandidate = {
            id: `b${k}`,
            createdAt: new Date(at).toISOString(),
            state: random() < 0.7 ? pick(STATES.slice(0, 2)) : pick(STATES),
          };
          if (random() < 0.1) candidate.timeZone = pick(ZONES);
          return candidate;
        },
      );
      const counts = { daily: Math.floor(random() * 10), weekly: Math.floor(random() * 6) };
      const plan = planRetention(backups, counts, zone, now);
      const actual = {
        keep: kept(plan),
        remove: [...plan.remove].sort(),
        ignored: [...plan.ignored].sort(),
      };
      const label = { seed, case: i, zone, now: now.toISOString(), counts };
      expect({ label, ...actual }).toEqual({ label, ...modelPlan(backups, counts, zone, now) });

      const failedRun: RetentionCandidate = {
        id: 'failed-run',
        createdAt: now.toISOString(),
        state: pick(STATES.slice(2)),
      };
      const withFailure = planRetention([...backups, failedRun], counts, zone, now);
      expect({ label, remove: withFailure.remove.sort() }).toEqual({
        label,
        remove: actual.remove,
      });
      const again = planRetention(
        backups.filter((b) => !plan.remove.includes(b.id)),
        counts,
        zone,
        now,
      );
      expect({ label, removedOnSecondPass: again.remove }).toEqual({
        label,
        removedOnSecondPass: [],
      });
    }
  }, 300_000);
});
