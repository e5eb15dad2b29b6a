import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import { openDatabase, type Db } from '../../infra/store/database.js';
import { FileJobLock, jobLockPath } from '../../infra/fs/file-job-lock.js';
import { writeLockHolder } from '../../infra/fs/job-lock.test-support.js';
import { SqliteJobs } from '../../infra/store/sqlite-jobs.js';
import { AppError } from '../app-error.js';
import { JobRunner } from './job-runner.js';

let dir: string;
let db: Db;
let events: DomainEvent[];
let runner: JobRunner;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-jobs-'));
  db = openDatabase(join(dir, 'appliance.db'));
  events = [];
  runner = new JobRunner({
    jobs: new SqliteJobs(db),
    publish: (e) => events.push(e),
    now: () => new Date(),
  });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('jobs', () => {
  it('run one at a time: a second one is told which job is busy', async () => {
    let release!: () => void;
    const first = runner.start('up', () => new Promise<void>((resolve) => (release = resolve)));
    expect(() => runner.start('backup', async () => undefined)).toThrow(
      `Busy with up (job ${first.jobId})`,
    );
    release();
    await first.done;
    const second = runner.start('backup', async () => 'ok');
    await expect(second.done).resolves.toBe('ok');
  });

  it('report progress and their end as events, and keep the history', async () => {
    const job = runner.start('up', async (ctx) => {
      ctx.progress('pulling images', 10);
      ctx.progress('starting services', 150);
    });
    await job.done;
    expect(events).toEqual([
      { type: 'job.progressed', jobId: job.jobId, kind: 'up', step: 'pulling images', percent: 10 },
      {
        type: 'job.progressed',
        jobId: job.jobId,
        kind: 'up',
        step: 'starting services',
        percent: 100,
      },
      { type: 'job.finished', jobId: job.jobId, kind: 'up', outcome: 'succeeded' },
    ]);
    expect(new SqliteJobs(db).get(job.jobId)).toMatchObject({
      state: 'succeeded',
      step: 'starting services',
      error: null,
    });
  });

  it('record a failure with its code and message', async () => {
    const job = runner.start('up', async () => {
      throw new AppError('conflict', 'Port 80 (for nginx) is already in use.');
    });
    await expect(job.done).rejects.toThrow('Port 80');
    expect(new SqliteJobs(db).get(job.jobId)).toMatchObject({
      state: 'failed',
      error: { code: 'conflict', message: 'Port 80 (for nginx) is already in use.' },
    });
    expect(events.at(-1)).toMatchObject({ type: 'job.finished', outcome: 'failed' });
  });

  it('that a crash left running are marked interrupted at the next start, never left running', () => {
    const jobs = new SqliteJobs(db);
    jobs.insert({ id: 'crashed-1', kind: 'backup', startedAt: new Date().toISOString() });
    const recovered = new JobRunner({
      jobs,
      publish: () => undefined,
      now: () => new Date(),
    }).recover();
    expect(recovered).toEqual(['crashed-1']);
    expect(jobs.get('crashed-1')).toMatchObject({
      state: 'interrupted',
      error: { message: 'The appliance stopped while this job ran.' },
    });
    expect(jobs.list(10).filter((j) => j.state === 'running')).toEqual([]);
  });
});

describe('jobs with the home job lock', () => {
  const locked = (): JobRunner =>
    new JobRunner({
      jobs: new SqliteJobs(db),
      publish: (e) => events.push(e),
      now: () => new Date(),
      lock: new FileJobLock(jobLockPath(dir)),
    });

  it('hold the lock while they run, naming the job, and free it when they end', async () => {
    const lockedRunner = locked();
    let release!: () => void;
    const job = lockedRunner.start('backup', () => new Promise<void>((r) => (release = r)));
    expect(JSON.parse(readFileSync(jobLockPath(dir), 'utf8'))).toMatchObject({
      owner: 'server',
      kind: 'backup',
      jobId: job.jobId,
      pid: process.pid,
    });
    release();
    await job.done;
    expect(existsSync(jobLockPath(dir))).toBe(false);
    const failing = lockedRunner.start('up', async () => {
      throw new AppError('conflict', 'no');
    });
    await expect(failing.done).rejects.toThrow('no');
    expect(existsSync(jobLockPath(dir))).toBe(false);
  });

  it('are refused while a command-line verb holds it, with nothing recorded', () => {
    writeLockHolder(dir, { kind: 'restore', startedAt: '2026-11-26T10:00:00.000Z' });
    expect(() => locked().start('backup', async () => undefined)).toThrow(
      `Busy: the command line (process ${process.pid}) is running a restore (started 2026-11-26 10:00:00 UTC)`,
    );
    expect(new SqliteJobs(db).list(10)).toEqual([]);
    expect(events).toEqual([]);
  });
});
