import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, nextRunOf, nextScheduledRun } from './backup-schedule.js';
import { toPrune } from './backup-scheduler.js';
import type { BackupRecord } from './ports.js';

const local = (y: number, mo: number, d: number, h = 0, mi = 0): Date =>
  new Date(y, mo - 1, d, h, mi);

describe('the schedule', () => {
  it('runs the daily backup at 02:00 and the weekly one on Sunday at 04:00 by default', () => {
    // Thursday 2026-11-26 10:00 local
    expect(nextScheduledRun(DEFAULT_SCHEDULE, local(2026, 11, 26, 10))).toEqual({
      at: local(2026, 11, 27, 2),
      kind: 'daily',
    });
    expect(nextRunOf(DEFAULT_SCHEDULE, 'weekly', local(2026, 11, 26, 10))).toEqual(
      local(2026, 11, 29, 4),
    );
    // Sunday 03:00: the weekly run at 04:00 comes before Monday's daily.
    expect(nextScheduledRun(DEFAULT_SCHEDULE, local(2026, 11, 29, 3))).toEqual({
      at: local(2026, 11, 29, 4),
      kind: 'weekly',
    });
  });

  it('never gives a time that is not after the given one', () => {
    expect(nextScheduledRun(DEFAULT_SCHEDULE, local(2026, 11, 27, 2))?.at).toEqual(
      local(2026, 11, 28, 2),
    );
  });

  it('has no next run when both are disabled', () => {
    const off = {
      ...DEFAULT_SCHEDULE,
      daily: { enabled: false, time: '02:00' },
      weekly: { ...DEFAULT_SCHEDULE.weekly, enabled: false },
    };
    expect(nextScheduledRun(off, local(2026, 11, 26))).toBeUndefined();
  });
});

const record = (
  id: number,
  kind: BackupRecord['kind'],
  state: BackupRecord['state'],
): BackupRecord => ({
  id: String(id),
  file: `b${id}.mnbackup`,
  kind,
  state,
  size: 1,
  createdAt: new Date(Date.UTC(2026, 0, id)).toISOString(),
});

describe('retention', () => {
  it('keeps the newest verified backups of each scheduled kind and prunes the older ones', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => record(i + 1, 'daily', 'verified')),
      ...Array.from({ length: 6 }, (_, i) => record(i + 11, 'weekly', 'verified-restorable')),
    ];
    const pruned = toPrune(rows, { daily: 7, weekly: 4 })
      .map((r) => r.id)
      .sort((a, b) => Number(a) - Number(b));
    expect(pruned).toEqual(['1', '2', '3', '11', '12']);
  });

  it('never counts failed or unverified backups, so they never push a good one out', () => {
    const rows = [
      record(1, 'daily', 'verified'),
      ...Array.from({ length: 9 }, (_, i) => record(i + 2, 'daily', i % 2 ? 'failed' : 'complete')),
    ];
    expect(toPrune(rows, { daily: 1, weekly: 1 })).toEqual([]);
  });

  it('never prunes manual or safety backups', () => {
    const rows = Array.from({ length: 5 }, (_, i) =>
      record(i + 1, i % 2 ? 'manual' : 'safety', 'verified'),
    );
    expect(toPrune(rows, { daily: 1, weekly: 1 })).toEqual([]);
  });
});
