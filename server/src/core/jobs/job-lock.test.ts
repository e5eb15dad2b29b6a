import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { busyMessage, takeJobLock, type JobHolder, type JobLock } from './job-lock.js';

const server: JobHolder = {
  owner: 'server',
  kind: 'backup',
  jobId: '6f1c2a9e-0000-4000-8000-000000000001',
  pid: 4242,
  host: 'nas',
  startedAt: '2026-11-26T02:00:03.120Z',
  sameHost: true,
};

describe('the busy answer', () => {
  it('names the server job that runs, its id and when it started', () => {
    expect(busyMessage(server)).toBe(
      'Busy: the server is running a backup (job 6f1c2a9e-0000-4000-8000-000000000001, started 2026-11-26 02:00:03 UTC); try again when it has finished.',
    );
  });

  it('names a command-line verb by its process, and the machine when it is another one', () => {
    const cli: JobHolder = { ...server, owner: 'cli', kind: 'restore', sameHost: false };
    delete cli.jobId;
    expect(busyMessage(cli)).toBe(
      'Busy: the command line (process 4242 on nas) is running a restore (started 2026-11-26 02:00:03 UTC); try again when it has finished.',
    );
  });

  it('is thrown as AppError busy with the holder in its details when the lock is held', () => {
    const held: JobLock = { acquire: () => ({ busy: server }) };
    const error = (() => {
      try {
        takeJobLock(held, { owner: 'cli', kind: 'up' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'busy',
      details: { owner: 'server', kind: 'backup', jobId: server.jobId },
    });
  });
});
