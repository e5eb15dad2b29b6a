import { describe, expect, it } from 'vitest';
import type { HealthHistoryEntry } from '../../contract/health-history-routes.js';
import { openDatabase } from './database.js';
import { SqliteHealthHistory } from './sqlite-health-history.js';
import { tempDatabases } from './temp-database.test-support.js';

const open = tempDatabases('mna-health-');

const entry = (
  minute: number,
  over: Partial<HealthHistoryEntry> = {},
): Omit<HealthHistoryEntry, 'id'> => ({
  service: 'postgres',
  state: 'healthy',
  previous: 'starting',
  lastCheck: 'accepting connections',
  exitCode: null,
  oomKilled: false,
  deepCheck: null,
  at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  ...over,
});

describe('the health history in SQLite', () => {
  it('returns one service newest first, and pages with before; kept across a reopen', () => {
    const { db, path } = open();
    const store = new SqliteHealthHistory(db);
    for (let m = 0; m < 5; m++) store.add(entry(m, { state: m % 2 ? 'exited' : 'healthy' }));
    store.add(entry(6, { service: 'redis' }));
    store.add(
      entry(7, {
        state: 'exited',
        exitCode: 137,
        oomKilled: true,
        deepCheck: { ok: false, output: 'no response' },
      }),
    );
    db.close();
    const again = new SqliteHealthHistory(openDatabase(path));
    const first = again.page('postgres', 4);
    expect(first.more).toBe(true);
    expect(first.entries.map((e) => e.at.slice(14, 16))).toEqual(['07', '04', '03', '02']);
    expect(first.entries[0]).toMatchObject({
      state: 'exited',
      exitCode: 137,
      oomKilled: true,
      deepCheck: { ok: false, output: 'no response' },
    });
    const rest = again.page('postgres', 4, first.entries.at(-1)?.id);
    expect(rest.more).toBe(false);
    expect(rest.entries.map((e) => e.at.slice(14, 16))).toEqual(['01', '00']);
    expect(again.page('redis', 10).entries).toHaveLength(1);
  });

  it('keeps only the newest rows over all services, and none older than the age bound', () => {
    const { db } = open();
    const store = new SqliteHealthHistory(db, { maxRows: 3, maxAgeMs: 30 * 60_000 });
    store.add(entry(0, { service: 'redis' }));
    for (let m = 1; m <= 4; m++) store.add(entry(m));
    expect(store.page('redis', 10).entries).toEqual([]);
    expect(store.page('postgres', 10).entries.map((e) => e.at.slice(14, 16))).toEqual([
      '04',
      '03',
      '02',
    ]);
    // 40 minutes later: the rows from minutes 2-4 are past the 30-minute bound.
    store.add(entry(44));
    expect(store.page('postgres', 10).entries.map((e) => e.at.slice(14, 16))).toEqual(['44']);
  });
});
