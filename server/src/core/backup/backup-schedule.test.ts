import { describe, expect, it } from 'vitest';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { readSchedule, writeSchedule } from './backup-schedule.js';
import { pruneScheduled, toPrune } from './backup-scheduler.js';
import type { BackupRecord } from './ports.js';

function memorySettings(): SettingsRepository {
  const values = new Map<string, unknown>();
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
}

describe('the schedule settings', () => {
  it('are the seed schedule until changed', () => {
    expect(readSchedule(memorySettings())).toEqual({
      daily: { enabled: true, time: '02:00' },
      weekly: { enabled: true, weekday: 0, time: '04:00' },
      retention: { daily: 7, weekly: 4 },
    });
  });

  it('refuse an invalid change naming the field, and keep the previous one', () => {
    const settings = memorySettings();
    const bad = { ...readSchedule(settings), retention: { daily: 0, weekly: 4 } };
    expect(() => writeSchedule(settings, bad)).toThrow(/retention\.daily/);
    expect(readSchedule(settings).retention.daily).toBe(7);
    const good = { ...readSchedule(settings), daily: { enabled: false, time: '03:15' } };
    writeSchedule(settings, good);
    expect(readSchedule(settings)).toEqual(good);
  });
});

const record = (
  day: number,
  state: BackupRecord['state'],
  kind: BackupRecord['kind'] = 'daily',
): BackupRecord => ({
  id: `d${day}`,
  file: `d${day}.mnbackup`,
  kind,
  state,
  size: 1,
  createdAt: new Date(Date.UTC(2026, 0, day, 2)).toISOString(),
});

describe('pruning after a scheduled backup', () => {
  it('removes only good backups beyond the kept days, never a failed or unverified one', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => record(i + 1, 'verified')),
      record(11, 'failed'),
      record(12, 'complete'),
    ];
    const pruned = toPrune(rows, { daily: 7, weekly: 1 }, 'UTC', new Date(Date.UTC(2026, 0, 13)));
    expect(pruned.every((r) => r.state === 'verified')).toBe(true);
    expect(pruned.map((r) => r.id)).not.toContain('d10');
    expect(pruned.length).toBeGreaterThan(0);
  });

  it('never prunes manual backups or safety snapshots, and does not count them as dailies', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => record(i + 1, 'verified')),
      record(11, 'verified', 'manual'),
      record(12, 'verified', 'safety'),
      record(2, 'verified-restorable', 'manual'),
    ].map((r, i) => ({ ...r, id: `${r.kind}-${i}` }));
    const pruned = toPrune(rows, { daily: 7, weekly: 1 }, 'UTC', new Date(Date.UTC(2026, 0, 13)));
    expect(pruned.every((r) => r.kind === 'daily')).toBe(true);
    // Ten scheduled dailies, seven kept: the manual and safety ones take no place among them.
    expect(pruned.map((r) => r.createdAt.slice(0, 10))).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ]);
  });
});

describe('backups prune', () => {
  it('removes what toPrune names, one at a time, telling each first; keeps the rest', async () => {
    const rows = [
      ...Array.from({ length: 4 }, (_, i) => record(i + 1, 'verified')),
      record(5, 'verified', 'manual'),
    ].map((r, i) => ({ ...r, id: `${r.kind}-${i}` }));
    let catalogue = [...rows].reverse();
    const events: string[] = [];
    const settings = memorySettings();
    writeSchedule(settings, { ...readSchedule(settings), retention: { daily: 1, weekly: 1 } });
    const pruned = await pruneScheduled(
      {
        schedule: () => readSchedule(settings),
        timeZone: () => 'UTC',
        now: () => new Date(Date.UTC(2026, 0, 6)),
        list: () => catalogue,
        remove: (r) => {
          events.push(`remove ${r.id}`);
          catalogue = catalogue.filter((c) => c.id !== r.id);
          return Promise.resolve();
        },
      },
      (r) => events.push(`removing ${r.id}`),
    );
    // One daily and one weekly place: the newest (the 4th) takes both; the manual one stays.
    expect(catalogue.map((r) => r.id).sort()).toEqual(['daily-3', 'manual-4']);
    expect(pruned.map((r) => r.id).sort()).toEqual(['daily-0', 'daily-1', 'daily-2']);
    expect(events).toEqual(pruned.flatMap((r) => [`removing ${r.id}`, `remove ${r.id}`]));
  });
});
