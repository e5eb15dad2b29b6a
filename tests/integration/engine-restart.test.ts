/**
 * The rig's own dockerd restarted while a server watches a stack: health says `unknown` (never a
 * stale "healthy"), service alerts stay as they were instead of firing or resolving blind, and once
 * the engine is back a resync shows the truth: the services the engine restarted, healthy again.
 *
 * This is the one test that stops the shared engine (through its pidfile, as tests/rig/down.sh
 * does) and brings it back with tests/rig/up.sh; it disturbs other suites running at that moment.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { installAndWatch, type WatchedStack } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = `mnengine${Date.now().toString(36)}`;
const PIDFILE = '/var/tmp/medianest-rig/dockerd.pid';
const rig = rigEnv();
const docker = rigDocker(rig);
let stack: WatchedStack;

type StatusChanged = Extract<ServerEvent, { type: 'stack.status-changed' }>;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the rig's dockerd the way down.sh does: SIGTERM to the pid it wrote, then wait. */
async function stopEngine(): Promise<void> {
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
  expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('dockerd');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 900 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(alive(pid)).toBe(false);
}

beforeAll(async () => {
  stack = await installAndWatch(docker, rig, PROJECT, { alerts: { tickMs: 500 } });
});

afterAll(async () => {
  await stack?.remove();
});

describe('the rig engine restarted under a watching server', () => {
  it(
    'is unknown while the engine is gone, then resyncs to the truth',
    { timeout: 600_000 },
    async () => {
      const mark = stack.recorder.events.length;
      const after = (e: ServerEvent): boolean => stack.recorder.events.indexOf(e) >= mark;
      const startedBefore = new Map(
        (await stack.client.stackHealth({})).services.map((s) => [s.service, s.startedAt]),
      );

      await stopEngine();
      const unknown = await stack.recorder.waitFor(
        (e): e is StatusChanged =>
          after(e) && e.type === 'stack.status-changed' && e.status === 'unknown',
        60_000,
      );
      expect(unknown.reason).toContain('The Docker engine is not reachable');
      await stack.recorder.waitFor(
        (e): e is Extract<ServerEvent, { type: 'tray.changed' }> =>
          after(e) && e.type === 'tray.changed' && e.state === 'unknown',
        10_000,
      );
      const whileAway = await stack.client.stackHealth({});
      expect(whileAway.status).toBe('unknown');

      const upAt = stack.recorder.events.length;
      await promisify(execFile)('bash', ['tests/rig/up.sh'], { timeout: 300_000 });
      const resynced = await stack.recorder.waitFor(
        (e): e is StatusChanged =>
          stack.recorder.events.indexOf(e) >= upAt &&
          e.type === 'stack.status-changed' &&
          e.status !== 'unknown',
        120_000,
      );
      expect(['healthy', 'degraded', 'down']).toContain(resynced.status);
      // Nothing fired blind while the engine could not be asked.
      const blind = stack.recorder.events
        .slice(mark, stack.recorder.events.indexOf(resynced))
        .filter((e) => e.type === 'alert.changed' && e.change === 'fired');
      expect(blind).toEqual([]);

      await stack.recorder.waitFor(
        (e): e is StatusChanged =>
          stack.recorder.events.indexOf(e) >= upAt &&
          e.type === 'stack.status-changed' &&
          e.status === 'healthy',
        240_000,
      );
      const health = await stack.client.stackHealth({});
      expect(health.status).toBe('healthy');
      // The engine restarted every long-running service: the resync has their new start times.
      for (const s of health.services.filter((x) => x.state === 'healthy')) {
        expect(s.startedAt).not.toBe(startedBefore.get(s.service));
      }
      expect(health.services.map((s) => s.service)).toEqual([...startedBefore.keys()]);
    },
  );
});
