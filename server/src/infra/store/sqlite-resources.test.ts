import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResourceSample } from '../../contract/resources-routes.js';
import { ResourceHistoryRecorder } from '../../core/health/resources-history.js';
import { openDatabase, type Db } from './database.js';
import { SqliteResourceHistory } from './sqlite-resources.js';

let dir: string;
let db: Db;
let store: SqliteResourceHistory;
/** The fake clock, in Unix seconds. */
let clock: number;
let recorder: ResourceHistoryRecorder;

const T0 = Date.parse('2026-03-01T00:00:00Z') / 1000;
const MiB = 2 ** 20;

function reading(service: string, cpu: number, memory: number, counter = 0): ResourceSample {
  return {
    service,
    at: new Date(clock * 1000).toISOString(),
    cpuPercent: cpu,
    memoryBytes: memory,
    memoryLimitBytes: 512 * MiB,
    networkRxBytes: counter,
    networkTxBytes: counter,
    blockReadBytes: counter,
    blockWriteBytes: counter,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-res-'));
  db = openDatabase(join(dir, 'appliance.db'));
  store = new SqliteResourceHistory(db);
  clock = T0;
  recorder = new ResourceHistoryRecorder(store, () => clock);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('resource history in the appliance database', () => {
  it('keeps 10 s points for the hour and adds them up into 1 min points for the day', () => {
    // One reading a second for a minute: CPU 10 % on even seconds, 30 % on odd ones, and one
    // spike to 90 % in the third step.
    for (let s = 0; s < 60; s++) {
      clock = T0 + s;
      const cpu = s === 25 ? 90 : s % 2 === 0 ? 10 : 30;
      recorder.add(reading('postgres', cpu, (100 + s) * MiB, s * 1000));
    }
    clock = T0 + 60;
    recorder.flush();

    const hour = recorder.history('postgres', 'hour');
    expect(hour.stepSeconds).toBe(10);
    expect(hour.points.map((p) => p.at)).toEqual(
      [0, 10, 20, 30, 40, 50].map((s) => new Date((T0 + s) * 1000).toISOString()),
    );
    expect(hour.points[0]?.cpuPercentAvg).toBeCloseTo(20, 10);
    expect(hour.points[0]?.cpuPercentMax).toBe(30);
    expect(hour.points[2]?.cpuPercentMax).toBe(90);
    expect(hour.points[0]?.memoryBytesAvg).toBeCloseTo(104.5 * MiB, 0);
    expect(hour.points[0]?.memoryBytesMax).toBe(109 * MiB);
    // Counters are the last reading's in the step.
    expect(hour.points[5]?.networkRxBytes).toBe(59_000);

    const day = recorder.history('postgres', 'day');
    expect(day.stepSeconds).toBe(60);
    expect(day.points).toHaveLength(1);
    // Reading-weighted: 30 readings of 10, 29 of 30, one of 90 (not the mean of the six points).
    expect(day.points[0]?.cpuPercentAvg).toBeCloseTo((30 * 10 + 29 * 30 + 90) / 60, 10);
    expect(day.points[0]?.cpuPercentMax).toBe(90);
    expect(day.points[0]?.memoryBytesMax).toBe(159 * MiB);

    const month = recorder.history('postgres', 'month');
    expect(month.stepSeconds).toBe(600);
    expect(month.points).toHaveLength(1);
    expect(recorder.history('redis', 'hour').points).toEqual([]);
  });

  it('returns only what the range covers, oldest first', () => {
    // One reading every 10 s for three hours.
    for (let s = 0; s < 3 * 3600; s += 10) {
      clock = T0 + s;
      recorder.add(reading('redis', 5, 10 * MiB));
    }
    clock = T0 + 3 * 3600;
    recorder.flush();
    const hour = recorder.history('redis', 'hour').points;
    expect(hour.length).toBeGreaterThanOrEqual(359);
    expect(hour.length).toBeLessThanOrEqual(361);
    expect(Date.parse(hour[0]?.at ?? '') / 1000).toBeGreaterThanOrEqual(clock - 3600);
    const day = recorder.history('redis', 'day').points;
    expect(day).toHaveLength(180);
    const times = day.map((p) => Date.parse(p.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('stays bounded however long it runs: each tier keeps only its own span', () => {
    // Two days of two services: a reading a minute, then every 10 s for the last two hours.
    const add = (s: number): void => {
      clock = T0 + s;
      recorder.add(reading('postgres', 1, MiB));
      recorder.add(reading('redis', 1, MiB));
    };
    for (let s = 0; s < 2 * 86_400 - 7200; s += 60) add(s);
    for (let s = 2 * 86_400 - 7200; s < 2 * 86_400; s += 10) add(s);
    let size = store.size();
    // Per service: an hour of 10 s points, a day of 1 min points, two days of 10 min points.
    expect(size.get(10)).toBeGreaterThanOrEqual(2 * 359);
    expect(size.get(10)).toBeLessThanOrEqual(2 * 362);
    expect(size.get(60)).toBeGreaterThanOrEqual(2 * 1439);
    expect(size.get(60)).toBeLessThanOrEqual(2 * 1442);
    expect(size.get(600)).toBe(2 * 288);

    // A month later, one more reading: everything older than each tier keeps is gone.
    clock = T0 + 2 * 86_400 + 31 * 86_400;
    recorder.add(reading('postgres', 1, MiB));
    recorder.flush(true);
    size = store.size();
    expect(size.get(10)).toBe(1);
    expect(size.get(60)).toBe(1);
    expect(size.get(600)).toBe(1);
  }, 60_000);

  it('drops points from the future after the clock went back', () => {
    clock = T0 + 7200;
    recorder.add(reading('postgres', 1, MiB));
    recorder.flush(true);
    clock = T0;
    recorder.add(reading('postgres', 2, MiB));
    recorder.flush(true);
    expect(recorder.history('postgres', 'hour').points.map((p) => p.cpuPercentAvg)).toEqual([2]);
  });
});
