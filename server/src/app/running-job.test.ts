/**
 * AppServer.runningJob, which the desktop app asks before it installs its own update: a CLI verb's
 * job (it holds the home's job lock) and the server's own, gone once the server lets go of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../contract/client.js';
import type { DomainEvent } from '../contract/events.js';
import { FileJobLock, jobLockPath } from '../infra/fs/file-job-lock.js';
import { createLogger } from '../infra/log/logger.js';
import { createServer, type AppServer } from '../index.js';

const TOKEN = 'e'.repeat(64);
let home: string;
let server: AppServer;
let url: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mna-running-job-'));
  server = createServer({
    home,
    token: TOKEN,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    monitorHealth: false,
    logger: createLogger({ write: () => undefined }),
  });
  ({ url } = await server.start());
});
afterEach(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the job running in the home, as the desktop app asks it', () => {
  it("names a CLI verb's job from the job lock, and nothing once it is released", () => {
    expect(server.runningJob()).toBeUndefined();
    const result = new FileJobLock(jobLockPath(home)).acquire({ owner: 'cli', kind: 'restore' });
    if (!('held' in result)) throw new Error('the lock should be free');
    expect(server.runningJob()).toEqual({
      owner: 'cli',
      kind: 'restore',
      description: 'a restore',
    });
    result.held.release();
    expect(server.runningJob()).toBeUndefined();
  });

  it("names the server's own job while it runs, and none right after job.finished", async () => {
    const seen: Array<{ at: string; running: unknown }> = [];
    const finished = new Promise<void>((resolve) => {
      server.subscribe((event: DomainEvent) => {
        if (event.type !== 'job.finished') return;
        seen.push({ at: 'event', running: server.runningJob()?.description });
        setTimeout(() => {
          seen.push({ at: 'next turn', running: server.runningJob() });
          resolve();
        }, 0);
      });
    });
    // A backup with no engine to reach: a job that starts, then fails.
    const api = createApiClient({ baseUrl: url, token: TOKEN });
    await api.createBackup({}).catch(() => undefined);
    await finished;
    expect(seen).toEqual([
      { at: 'event', running: 'a backup' },
      { at: 'next turn', running: undefined },
    ]);
  });
});
