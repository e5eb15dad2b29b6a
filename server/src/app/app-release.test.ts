/**
 * GET/POST/PUT /api/app/release on the real server, asking a stand-in for GitHub's API on
 * loopback: the newer release and how to update, offline said in the answer (never an error), and
 * the off switch validated per field.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fakeReleases,
  githubRelease,
  type FakeReleases,
} from '../infra/net/fake-releases.test-support.js';
import { APP_VERSION } from '../version.js';
import { startTestServer, type TestServer } from './test-server.test-support.js';

let fake: FakeReleases;
let t: TestServer;

beforeEach(async () => {
  fake = await fakeReleases();
  t = await startTestServer('app-release', {
    monitorHealth: false,
    appRelease: { latestUrl: fake.url },
  });
});
afterEach(async () => {
  await t.close();
  await fake.close();
});

const api = () => t.api();
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
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
  });

  it('turns the daily check off, and refuses a setting that is not a boolean by its name', async () => {
    const off = await api().appReleaseSettings({ check: { enabled: false } });
    expect(off.settings.check.enabled).toBe(false);
    expect((await api().appRelease({})).settings.check.enabled).toBe(false);
    const res = await fetch(`${t.url}/api/app/release/settings`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${t.token}`,
        'content-type': 'application/json',
        origin: t.url,
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
    fake.answer = { status: 200, body: githubRelease(newer) };
    const { lines } = t;
    const start = () => t.restart({ appRelease: { latestUrl: fake.url, firstCheckDelayMs: 20 } });
    await start();
    for (let i = 0; i < 200 && !lines.some((l) => l.includes('is released')); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const logged = lines.find((l) => l.includes('is released')) ?? '';
    expect(logged).toContain(`MediaNest Appliance ${newer.slice(1)} is released`);
    expect(logged).toContain('howToUpdate');
    expect(fake.requests).toHaveLength(1);

    await start();
    const next = (await api().appRelease({})).nextCheckAt;
    expect(new Date(next ?? 0).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.requests).toHaveLength(1);
  });
});
