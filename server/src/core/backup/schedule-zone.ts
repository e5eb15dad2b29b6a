/**
 * Local calendar arithmetic in an IANA time zone, with only Intl: what local date an instant falls
 * on, and which instant a local date and time means, including on DST days (a time that does not
 * exist runs at the first valid instant after it; a time that exists twice runs at the first).
 */

/** A local calendar date, `YYYY-MM-DD`; compares correctly as a string. */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of `instant` in `zone`, as milliseconds of a UTC date with the same fields. */
function wallClock(instant: number, zone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (instant % 1000);
}

const offsetAt = (instant: number, zone: string): number => wallClock(instant, zone) - instant;

const isoDate = (utcMs: number): LocalDate => new Date(utcMs).toISOString().slice(0, 10);

export function localDateOf(instant: Date | number, zone: string): LocalDate {
  return isoDate(wallClock(Number(instant), zone));
}

/** 0 = Sunday … 6 = Saturday, of a local date. */
export function weekdayOf(date: LocalDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
}

/** ISO 8601 week of a local date, `YYYY-Www`: weeks run Monday to Sunday. */
export function isoWeekOf(date: LocalDate): string {
  const day = new Date(`${date}T00:00:00Z`);
  const thursday = new Date(day.getTime() + (4 - (day.getUTCDay() || 7)) * DAY_MS);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / DAY_MS / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The instant local `date` at `time` (`HH:MM`) happens in `zone`: the earlier one when it happens
 * twice, the first valid instant after it when the clocks skip it, and undefined when that falls
 * on another date (a zone that skipped the whole day).
 */
export function instantOf(date: LocalDate, time: string, zone: string): Date | undefined {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const valid = [wall - before, wall - after]
    .filter((candidate) => wallClock(candidate, zone) === wall)
    .sort((a, b) => a - b);
  let instant = valid[0];
  if (instant === undefined) {
    // Skipped by the clocks: the first second whose wall clock is at or after `wall`.
    let low = Math.min(wall - before, wall - after);
    let high = Math.max(wall - before, wall - after);
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (wallClock(middle, zone) >= wall) high = middle;
      else low = middle;
    }
    instant = high;
  }
  return localDateOf(instant, zone) === date ? new Date(instant) : undefined;
}
