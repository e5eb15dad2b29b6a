import { describe, expect, it } from 'vitest';
import { isQuietTime } from './quiet-hours.js';

const night = { enabled: true, start: '23:00', end: '07:00', letCriticalThrough: true };

describe('quiet hours', () => {
  it('cross midnight: late evening and early morning are quiet, the day is not', () => {
    const at = (iso: string): boolean => isQuietTime(night, new Date(iso), 'UTC');
    expect(at('2026-06-10T23:00:00Z')).toBe(true);
    expect(at('2026-06-11T03:30:00Z')).toBe(true);
    expect(at('2026-06-11T06:59:00Z')).toBe(true);
    expect(at('2026-06-11T07:00:00Z')).toBe(false);
    expect(at('2026-06-11T12:00:00Z')).toBe(false);
    expect(at('2026-06-10T22:59:00Z')).toBe(false);
  });

  it('follow the local wall clock across the DST changes (a 7-hour and a 9-hour night)', () => {
    const berlin = (iso: string): boolean => isQuietTime(night, new Date(iso), 'Europe/Berlin');
    // Spring forward, 29 March 2026: 23:00 CET is 22:00 UTC, 07:00 CEST is 05:00 UTC.
    expect(berlin('2026-03-28T22:00:00Z')).toBe(true);
    expect(berlin('2026-03-29T04:59:00Z')).toBe(true);
    expect(berlin('2026-03-29T05:00:00Z')).toBe(false);
    // Fall back, 25 October 2026: 23:00 CEST is 21:00 UTC, 07:00 CET is 06:00 UTC.
    expect(berlin('2026-10-24T20:59:00Z')).toBe(false);
    expect(berlin('2026-10-24T21:00:00Z')).toBe(true);
    expect(berlin('2026-10-25T05:59:00Z')).toBe(true);
    expect(berlin('2026-10-25T06:00:00Z')).toBe(false);
  });

  it('are off when disabled, and a window that starts where it ends is empty', () => {
    const at = new Date('2026-06-11T03:00:00Z');
    expect(isQuietTime({ ...night, enabled: false }, at, 'UTC')).toBe(false);
    expect(isQuietTime({ ...night, start: '03:00', end: '03:00' }, at, 'UTC')).toBe(false);
    expect(isQuietTime({ ...night, start: '01:00', end: '05:00' }, at, 'UTC')).toBe(true);
  });
});
