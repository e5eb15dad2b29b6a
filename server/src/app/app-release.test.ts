/**
 * GET/POST/PUT /api/app/release on the real server, asking a stand-in for GitHub's API on
 * loopback: the newer release and how to update, offline said in the answer (never an error), and
 * the off switch validated per field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../contract/client.js';
import {
  fakeReleases,
  githubRelease,
  type FakeReleases,
} from '../infra/net/fake-releases.test-support.js';
import { createServer, type AppServer } from '../index.js';
import { createLogger } from '../infra/log/logger.js';
import { APP_VERSION } from '../version.js';

const TOKEN = 'd'.repeat(64);
let home: string;
let fake: FakeReleases;
let server: AppServer;
let url: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mna-app-release-'));
  fake = await fakeReleases();
  server = createServer({
    home,
    token: TOKEN,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    monitorHealth: false,
    logger: createLogger({ write: () => undefined }),
    appRelease: { latestUrl: fake.url },
  });
  ({ url } = await server.start());
});
afterEach(async () => {
  await server.stop();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

const api = () => createApiClient({ baseUrl: url, token: TOKEN });
/** A version above this app's, whatever it is. */
const newer = `v${APP_VERSION.split('.')
  .map((n, i) => (i === 0 ? Number(n) + 1 : 0))
  .join('.')}`;

describe('the app release in the API', () => {
  it('answers the last check only, then a fresh one with the newer release and how to update', async () => {
    const before = await api().appRelease({});
    expect(before).toMatchObject({
      current: APP_VERSION,
      updateAvailable: false,
      source: fake.url,
    });
    expect(before.checkedAt).toBeUndefined();
    expect(fake.requests).toHaveLength(0);

    fake.answer = { status: 200, body: githubRelease(newer) };
    const checked = await api().appReleaseCheck({});
    expect(checked).toMatchObject({
      updateAvailable: true,
      latest: { version: newer.slice(1), tag: newer },
    });
    expect(checked.howToUpdate?.text).toMatch(/restart `medianest-appliance serve`/);
    expect((await api().appRelease({})).latest?.version).toBe(newer.slice(1));
  });

  it('offline: the answer says so, keeping the last one, and the server keeps serving', async () => {
    fake.answer = { status: 200, body: githubRelease(newer) };
    await api().appReleaseCheck({});
    await fake.close();
    const offline = await api().appReleaseCheck({});
    expect(offline.error?.message).toMatch(/not reachable: connection refused/);
    expect(offline.updateAvailable).toBe(true);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
  });

  it('turns the daily check off, and refuses a setting that is not a boolean by its name', async () => {
    const off = await api().appReleaseSettings({ check: { enabled: false } });
    expect(off.settings.check.enabled).toBe(false);
    expect((await api().appRelease({})).settings.check.enabled).toBe(false);
    const res = await fetch(`${url}/api/app/release/settings`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        origin: url,
      },
      body: JSON.stringify({ check: { enabled: 'yes' } }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'check.enabled: must be true or false',
    );
  });
});

describe('the daily check of `serve`', () => {
  it('asks once after the start, logs the newer release with what to run, and not again on a restart that day', async () => {
    await server.stop();
    fake.answer = { status: 200, body: githubRelease(newer) };
    const lines: string[] = [];
    const start = async () => {
      server = createServer({
        home,
        token: TOKEN,
        env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
        logger: createLogger({ write: (line) => lines.push(line) }),
        appRelease: { latestUrl: fake.url, firstCheckDelayMs: 20 },
      });
      ({ url } = await server.start());
    };
    await start();
    for (let i = 0; i < 200 && !lines.some((l) => l.includes('is released')); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const logged = lines.find((l) => l.includes('is released')) ?? '';
    expect(logged).toContain(`MediaNest Appliance ${newer.slice(1)} is released`);
    expect(logged).toContain('howToUpdate');
    expect(fake.requests).toHaveLength(1);

    await server.stop();
    await start();
    const next = (await api().appRelease({})).nextCheckAt;
    expect(new Date(next ?? 0).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.requests).toHaveLength(1);
  });
});
