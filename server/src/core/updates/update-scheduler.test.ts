import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpdateSettingsSchema } from '../../contract/updates-routes.js';
import { UpdateScheduler } from './update-scheduler.js';

const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2027-01-10T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

function scheduler(options: { enabled?: boolean; last?: Date } = {}) {
  let last = options.last;
  let busy = false;
  const checks: Date[] = [];
  const settings = UpdateSettingsSchema.parse({
    check: { enabled: options.enabled ?? true, everyHours: 24 },
  });
  const s = new UpdateScheduler({
    settings: () => settings,
    lastCheckAt: () => last,
    check: async () => {
      last = new Date();
      checks.push(last);
    },
    jobRunning: () => busy,
    now: () => new Date(),
    onError: () => undefined,
  });
  return { s, checks, settings, setBusy: (b: boolean) => (busy = b) };
}

describe('the update schedule', () => {
  it('checks a minute after a first start, then every 24 h', async () => {
    const { s, checks } = scheduler();
    s.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(checks).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(checks).toHaveLength(1);
    expect(s.next()?.toISOString()).toBe('2027-01-11T10:01:00.000Z');
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(checks).toHaveLength(2);
    s.stop();
  });

  it('does not check again after a restart before the interval is over', async () => {
    const { s, checks } = scheduler({ last: new Date('2027-01-09T16:00:00Z') });
    s.start();
    await vi.advanceTimersByTimeAsync(5 * HOUR);
    expect(checks).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(checks).toHaveLength(1);
    s.stop();
  });

  it('waits while a job runs, and never checks when off', async () => {
    const { s, checks, setBusy } = scheduler();
    setBusy(true);
    s.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(checks).toHaveLength(0);
    setBusy(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(checks).toHaveLength(1);
    s.stop();

    const off = scheduler({ enabled: false });
    off.s.start();
    await vi.advanceTimersByTimeAsync(72 * HOUR);
    expect(off.checks).toHaveLength(0);
    expect(off.s.next()).toBeUndefined();
    off.s.stop();
  });
});
