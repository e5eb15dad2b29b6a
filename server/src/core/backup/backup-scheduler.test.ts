import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupKind } from '../../contract/backup-routes.js';
import { FileJobLock, jobLockPath } from '../../infra/fs/file-job-lock.js';
import { writeLockHolder } from '../../infra/fs/job-lock.test-support.js';
import { openDatabase, type Db } from '../../infra/store/database.js';
import { SqliteJobs } from '../../infra/store/sqlite-jobs.js';
import { JobRunner } from '../jobs/job-runner.js';
import { BackupScheduler } from './backup-scheduler.js';
import { DEFAULT_BACKUP_SCHEDULE, type LastRuns } from './schedule.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-sched-'));
  db = openDatabase(join(dir, 'appliance.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Thursday 26 November 2026, 03:00 UTC: the 02:00 daily slot of today is due. */
const NOW = new Date('2026-11-26T03:00:00Z');

function scheduler(lastRuns: { value: LastRuns }, backups: BackupKind[], errors: string[]) {
  const runner = new JobRunner({
    jobs: new SqliteJobs(db),
    publish: () => undefined,
    now: () => NOW,
    lock: new FileJobLock(jobLockPath(dir)),
  });
  return new BackupScheduler({
    schedule: () => DEFAULT_BACKUP_SCHEDULE,
    timeZone: () => 'UTC',
    backup: async (kind) => {
      backups.push(kind);
    },
    list: () => [],
    remove: async () => undefined,
    lastRuns: { get: () => lastRuns.value, set: (runs) => (lastRuns.value = runs) },
    runner,
    now: () => NOW,
    onError: (message) => errors.push(message),
    busyRetryMs: 20,
  });
}

describe('a scheduled backup that comes due while a command-line verb holds the job lock', () => {
  it('waits, is not marked as run, and runs once the verb has finished', async () => {
    // A live process (this one) running `restore` from the command line.
    writeLockHolder(dir, { kind: 'restore' });
    const lastRuns = { value: { daily: '2026-11-24' } as LastRuns };
    const backups: BackupKind[] = [];
    const errors: string[] = [];
    const runs = scheduler(lastRuns, backups, errors);
    runs.start();
    try {
      expect(backups).toEqual([]);
      expect(lastRuns.value).toEqual({ daily: '2026-11-24' });
      expect(errors).toEqual(['scheduled daily backup waits for the running job']);

      rmSync(jobLockPath(dir));
      await expect.poll(() => backups, { timeout: 5000 }).toEqual(['daily']);
      expect(lastRuns.value).toEqual({ daily: '2026-11-26' });
      await expect
        .poll(() => new SqliteJobs(db).list(5).map((j) => [j.kind, j.state]), { timeout: 5000 })
        .toEqual([['backup', 'succeeded']]);
    } finally {
      runs.stop();
    }
  });

  it('is not retried once the scheduler has stopped', async () => {
    writeLockHolder(dir, { owner: 'server', kind: 'up', jobId: 'j1' });
    const backups: BackupKind[] = [];
    const runs = scheduler({ value: { daily: '2026-11-24' } }, backups, []);
    runs.start();
    runs.stop();
    rmSync(jobLockPath(dir));
    await new Promise((r) => setTimeout(r, 100));
    expect(backups).toEqual([]);
  });
});
