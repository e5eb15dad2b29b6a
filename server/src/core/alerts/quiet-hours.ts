import type { AlertSettings } from '../../contract/alerts.js';

type QuietHours = AlertSettings['quietHours'];

/** Minutes since local midnight on the wall clock of `timeZone` (the system's when omitted). */
export function localMinutes(at: Date, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(at);
  const value = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * Whether `at` falls in the quiet hours. Compared on the local wall clock, never as a duration
 * from the start, so a night that is 7 or 9 hours long (the DST changes) still ends at `end`.
 * A window that ends before it starts crosses midnight (23:00–07:00); start = end means never.
 */
export function isQuietTime(quiet: QuietHours, at: Date, timeZone?: string): boolean {
  if (!quiet.enabled) return false;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const now = localMinutes(at, timeZone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}
