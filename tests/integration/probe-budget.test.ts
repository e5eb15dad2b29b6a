/**
 * Our probes stay within MediaNest's rate limit (issue 16, part 4). The backend stand-in limits
 * like the real one (R3) with its window shrunk for the test and its maximum scaled with it:
 * 100 per 15 minutes becomes 7 per 60 s. `serve` monitors the stack (Docker's healthcheck every
 * 10 s, the deep checks every 30 s) for more than three windows: the backend never answers 429
 * and is never shown unhealthy. The earlier probes (an HTTP healthcheck every 10 s and an HTTP
 * deep check every 30 s: 8 a minute) would be refused in every window.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { logsOf } from './support/containers.js';
import { installAndWatch, type WatchedStack } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = 'mnbudget';
const WINDOW_MS = 60_000;
const rig = rigEnv();
const docker = rigDocker(rig);
let stack: WatchedStack;

/** The stand-in's own settings (only the stand-in reads them), added to the rendered backend. */
function shrinkLimiterWindow(home: string): void {
  const file = join(home, 'stack', 'compose.yaml');
  const compose = parse(readFileSync(file, 'utf8')) as {
    services: { backend: { environment: Record<string, string> } };
  };
  compose.services.backend.environment['RIG_RATE_LIMIT_WINDOW_MS'] = String(WINDOW_MS);
  compose.services.backend.environment['RIG_RATE_LIMIT_MAX'] = '7';
  writeFileSync(file, stringify(compose, { version: '1.1' }));
}

beforeAll(async () => {
  stack = await installAndWatch(docker, rig, PROJECT, {}, { beforeUp: shrinkLimiterWindow });
}, 240_000);

afterAll(async () => {
  await stack?.remove();
}, 120_000);

describe("probes within MediaNest's rate limit", () => {
  it('monitoring for more than three windows never gets a 429 nor shows the backend unhealthy', async () => {
    const backend = await stack.containerOf('backend');
    const env = (await backend.inspect()).Config.Env;
    expect(env).toContain(`RIG_RATE_LIMIT_WINDOW_MS=${WINDOW_MS}`);
    const since = stack.recorder.events.length;
    await new Promise((resolve) => setTimeout(resolve, 3.5 * WINDOW_MS));

    const log = await logsOf(backend);
    expect(log).toContain('"rateLimit":{"windowMs":60000,"max":7}');
    expect(log).not.toContain('rate limit exceeded');
    const backendStates = stack.recorder.events
      .slice(since)
      .filter(
        (e): e is Extract<ServerEvent, { type: 'service.state-changed' }> =>
          e.type === 'service.state-changed' && e.service.service === 'backend',
      )
      .map((e) => e.service.state);
    expect(backendStates).not.toContain('unhealthy');
    const health = (await stack.client.stackHealth({})).services.find(
      (s) => s.service === 'backend',
    );
    expect(health?.state).toBe('healthy');
    // The deep check ran all along and logged in to both, without a request to the backend.
    expect(health?.deepCheck).toMatchObject({ ok: true, output: 'database: ok, cache: ok' });
    const info = await backend.inspect();
    expect(info.State.Health?.Status).toBe('healthy');
    expect(info.RestartCount).toBe(0);
  }, 300_000);
});
