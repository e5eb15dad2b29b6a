/**
 * The schedule against a reference model: a deliberately naive scan, minute by minute, of the
 * local wall clock (by its own Intl formatter), on thousands of random schedules, zones, last runs
 * and clocks. The seed is printed; rerun a failure with MODEL_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import type { BackupSchedule } from '../../contract/backup-routes.js';
import { markRun, missedRuns, nextRun, type LastRuns, type Slot } from './schedule.js';
import { modelRandom, ZONES } from './retention-model.test-support.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BLOCK = 15 * MINUTE;

/**
 * The model's wall clock: the zone's offset read once per 15-minute block (every zone in the list
 * changes offset only on quarter hours), added to the instant. Dates are day numbers since 1970.
 */
const clocks = new Map<string, (t: number) => { day: number; minute: number }>();
function modelClock(zone: string): (t: number) => { day: number; minute: number } {
  const cached = clocks.get(zone);
  if (cached) return cached;
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const offsets = new Map<number, number>();
  const clock = (t: number): { day: number; minute: number } => {
    const block = Math.floor(t / BLOCK);
    let offset = offsets.get(block);
    if (offset === undefined) {
      const [date, time] = format.format(new Date(block * BLOCK)).split(' ') as [string, string];
      offset = Date.parse(`${date}T${time}:00Z`) - block * BLOCK;
      offsets.set(block, offset);
    }
    const local = t + offset;
    return { day: Math.floor(local / DAY), minute: Math.floor((local % DAY) / MINUTE) };
  };
  clocks.set(zone, clock);
  return clock;
}

const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;
const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

/** Every slot that fires from `from` to `to`: on each local day after `last`, the first minute at or past its time. */
function modelSlots(
  schedule: BackupSchedule,
  zone: string,
  last: LastRuns,
  from: number,
  to: number,
  stopAfter = Infinity,
): Slot[] {
  const clock = modelClock(zone);
  const fired: Slot[] = [];
  const seen = new Set<string>();
  const plans = (['daily', 'weekly'] as const).map((kind) => ({
    kind,
    enabled: schedule[kind].enabled,
    minute: minutesOf(schedule[kind].time),
    lastDay: last[kind] === undefined ? -Infinity : dayNumber(last[kind]),
  }));
  for (let t = Math.ceil(from / MINUTE) * MINUTE; t <= to; t += MINUTE) {
    // Once a slot after `stopAfter` has fired and a minute has passed, nothing sooner can come.
    if (fired.some((slot) => slot.at.getTime() > stopAfter && slot.at.getTime() < t)) break;
    const { day, minute } = clock(t);
    for (const plan of plans) {
      if (!plan.enabled || day <= plan.lastDay || minute < plan.minute) continue;
      if (plan.kind === 'weekly' && new Date(day * DAY).getUTCDay() !== schedule.weekly.weekday)
        continue;
      if (seen.has(`${plan.kind}${day}`)) continue;
      seen.add(`${plan.kind}${day}`);
      fired.push({ kind: plan.kind, date: dateOf(day), at: new Date(t) });
    }
  }
  return fired;
}

function modelNext(
  schedule: BackupSchedule,
  zone: string,
  last: LastRuns,
  now: Date,
): { at: Date; slots: Slot[] } | undefined {
  const start = now.getTime() - 2 * DAY;
  const slots = modelSlots(
    schedule,
    zone,
    last,
    start,
    now.getTime() + 20 * DAY,
    now.getTime(),
  ).filter((s) => s.at > now);
  const first = slots[0];
  if (!first) return undefined;
  return { at: first.at, slots: slots.filter((s) => s.at.getTime() === first.at.getTime()) };
}

function modelMissed(schedule: BackupSchedule, zone: string, last: LastRuns, now: Date): Slot[] {
  const slots = modelSlots(schedule, zone, last, now.getTime() - 12 * DAY, now.getTime());
  return (['daily', 'weekly'] as const).flatMap((kind) => {
    const own = slots.filter((s) => s.kind === kind);
    return last[kind] === undefined || own.length === 0 ? [] : [own.at(-1) as Slot];
  });
}

function randomCase(random: () => number): {
  schedule: BackupSchedule;
  zone: string;
  last: LastRuns;
  now: Date;
} {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const time = (): string => {
    // Half the times sit where DST changes happen, to hit gaps and repeats often.
    const hour = random() < 0.5 ? pick([0, 1, 2, 3, 23]) : Math.floor(random() * 24);
    return `${String(hour).padStart(2, '0')}:${String(pick([0, 15, 30, 45, Math.floor(random() * 60)])).padStart(2, '0')}`;
  };
  const schedule: BackupSchedule = {
    daily: { enabled: random() < 0.85, time: time() },
    weekly: { enabled: random() < 0.85, weekday: Math.floor(random() * 7), time: time() },
    retention: { daily: 7, weekly: 4 },
  };
  // Around the 2026 and 2027 DST changes of the northern and southern hemispheres, and elsewhere.
  const anchors = [
    '2026-03-08',
    '2026-03-29',
    '2026-04-05',
    '2026-09-06',
    '2026-10-04',
    '2026-10-25',
    '2026-11-01',
    '2027-03-28',
    '2026-07-15',
  ];
  const now = new Date(Date.parse(`${pick(anchors)}T00:00:00Z`) + (random() * 6 - 3) * DAY);
  const zone = pick(ZONES);
  const lastOffset = (): number => Math.floor(random() * 12) - 9; // up to 9 days ago, up to 2 ahead (clock set back)
  const today = Math.floor(now.getTime() / DAY);
  const last: LastRuns = {};
  if (random() < 0.8) last.daily = dateOf(today + lastOffset());
  if (random() < 0.8) last.weekly = dateOf(today + lastOffset());
  return { schedule, zone, last, now };
}

describe('the schedule against its reference model', () => {
  const { random, seed } = modelRandom();

  it(`agrees on the next run and the missed runs for 2000 random cases (seed ${seed})`, () => {
    for (let i = 0; i < 2000; i += 1) {
      const c = randomCase(random);
      const label = { case: i, seed, ...c, now: c.now.toISOString() };
      expect({ label, next: nextRun(c.schedule, c.zone, c.last, c.now) }).toEqual({
        label,
        next: modelNext(c.schedule, c.zone, c.last, c.now),
      });
      expect({ label, missed: missedRuns(c.schedule, c.zone, c.last, c.now) }).toEqual({
        label,
        missed: modelMissed(c.schedule, c.zone, c.last, c.now),
      });
    }
  }, 300_000);

  it(`never runs a slot twice, even with the clock set back, over 300 simulated weeks (seed ${seed})`, () => {
    for (let i = 0; i < 300; i += 1) {
      const { schedule, zone, now: start } = randomCase(random);
      let now = start;
      let last: LastRuns = {};
      const ran: string[] = [];
      for (let step = 0; step < 14; step += 1) {
        const due = missedRuns(schedule, zone, last, now);
        if (due.length > 0) {
          ran.push(...due.map((slot) => `${slot.kind} ${slot.date}`));
          last = markRun(last, due);
        }
        const next = nextRun(schedule, zone, last, now);
        if (!next) break;
        // Usually wake on time; sometimes oversleep days (machine off) or have the clock set back.
        const r = random();
        now = new Date(
          next.at.getTime() + (r < 0.7 ? 0 : r < 0.85 ? random() * 5 * DAY : -random() * 3 * DAY),
        );
      }
      expect({ seed, i, duplicates: ran.filter((slot, k) => ran.indexOf(slot) !== k) }).toEqual({
        seed,
        i,
        duplicates: [],
      });
    }
  }, 300_000);
});
