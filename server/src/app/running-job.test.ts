/**
 * AppServer.runningJob, which the desktop app asks before it installs its own update: a CLI verb's
 * job (it holds the home's job lock) and the server's own, gone once the server lets go of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../contract/events.js';
import { FileJobLock, jobLockPath } from '../infra/fs/file-job-lock.js';
import { startTestServer, type TestServer } from './test-server.test-support.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer('running-job', { monitorHealth: false });
});
afterEach(() => t.close());

describe('the job running in the home, as the desktop app asks it', () => {
  it("names a CLI verb's job from the job lock, and nothing once it is released", () => {
    expect(t.server.runningJob()).toBeUndefined();
    const result = new FileJobLock(jobLockPath(t.home)).acquire({ owner: 'cli', kind: 'restore' });
    if (!('held' in result)) throw new Error('the lock should be free');
    expect(t.server.runningJob()).toEqual({
      owner: 'cli',
      kind: 'restore',
      description: 'a restore',
    });
    result.held.release();
    expect(t.server.runningJob()).toBeUndefined();
  });

  it("names the server's own job while it runs, and none right after job.finished", async () => {
    const seen: Array<{ at: string; running: unknown }> = [];
    const finished = new Promise<void>((resolve) => {
      t.server.subscribe((event: DomainEvent) => {
        if (event.type !== 'job.finished') return;
        seen.push({ at: 'event', running: t.server.runningJob()?.description });
        setTimeout(() => {
          seen.push({ at: 'next turn', running: t.server.runningJob() });
          resolve();
        }, 0);
      });
    });
    // A backup with no engine to reach: a job that starts, then fails.
    await t
      .api()
      .createBackup({})
      .catch(() => undefined);
    await finished;
    expect(seen).toEqual([
      { at: 'event', running: 'a backup' },
      { at: 'next turn', running: undefined },
    ]);
  });
});
