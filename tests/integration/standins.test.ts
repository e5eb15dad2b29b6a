/**
 * The rig's stand-ins honour MediaNest's contract: a mini stack (PostgreSQL, Redis, migrate, backend)
 * on the rig's engine, driven through the backend's HTTP API on a loopback port.
 * Needs DOCKER_HOST and MEDIANEST_IMAGES from `tests/rig/up.sh`; fails without them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logsOf,
  removeLabelled,
  runContainer,
  waitForExit,
  waitUntil,
} from './support/containers.js';
import { request, requestJson } from './support/http.js';
import {
  hexSecret,
  removeStackDir,
  runMigrate,
  startBackend,
  startMiniStack,
  waitForBackend,
  type Backend,
  type MiniStack,
} from './support/mini-stack.js';
import { imageOf, rigDocker, rigEnv, type RigEnv } from './support/rig.js';

const SUITE = 'standins';
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

interface ReadyCheck {
  name: string;
  status: string;
  error?: string;
}
interface Ready {
  status: string;
  checks: ReadyCheck[];
}

interface Given {
  env: RigEnv;
  docker: Docker;
  stack: MiniStack;
  backend: Backend;
}

describe('MediaNest stand-ins on the rig', { timeout: 120_000 }, () => {
  // A failed setup (no DOCKER_HOST, no images, a stand-in that does not start) fails every test
  // with its message, instead of leaving them skipped.
  let given: Given | undefined;
  let setupError: Error | undefined;
  let docker: Docker | undefined;
  let stack: MiniStack | undefined;
  const the = (): Given => {
    if (!given) throw setupError ?? new Error('setup did not run');
    return given;
  };

  const ready = (): Promise<{ status: number; body: Ready }> =>
    requestJson<Ready>(`${the().backend.baseUrl}/health/ready`);
  const waitForReadyStatus = (status: number): Promise<{ status: number; body: Ready }> =>
    waitUntil(`/health/ready to answer ${status}`, async () => {
      const r = await ready();
      return r.status === status ? r : undefined;
    });

  beforeAll(async () => {
    try {
      const env = rigEnv();
      docker = rigDocker(env);
      await removeLabelled(docker, SUITE);
      stack = await startMiniStack(docker, env, SUITE);
      const migrate = await runMigrate(docker, env, stack);
      if (migrate.exitCode !== 0)
        throw new Error(`migrate exited ${migrate.exitCode}: ${migrate.log}`);
      // the job is idempotent: a second run changes nothing and succeeds
      const again = await runMigrate(docker, env, stack);
      if (again.exitCode !== 0)
        throw new Error(`second migrate exited ${again.exitCode}: ${again.log}`);
      given = { env, docker, stack, backend: await startBackend(docker, env, stack) };
    } catch (e) {
      setupError = e instanceof Error ? e : new Error(String(e));
    }
  }, 120_000);

  afterAll(async () => {
    if (docker) await removeLabelled(docker, SUITE);
    if (stack) removeStackDir(stack);
  }, 120_000);

  it('reports ready only while PostgreSQL and Redis are up', async () => {
    const s = the().stack;
    const up = await ready();
    expect(up.status).toBe(200);
    expect(up.body.checks.map((c) => [c.name, c.status])).toEqual([
      ['database', 'ready'],
      ['cache', 'ready'],
    ]);

    await s.redis.stop({ t: 10 });
    const noCache = await waitForReadyStatus(503);
    expect(noCache.body.status).toBe('not_ready');
    expect(noCache.body.checks.find((c) => c.name === 'cache')?.status).toBe('error');
    expect(noCache.body.checks.find((c) => c.name === 'database')?.status).toBe('ready');
    await s.redis.start();
    await waitForReadyStatus(200);

    await s.postgres.stop({ t: 10 });
    const noDb = await waitForReadyStatus(503);
    expect(noDb.body.checks.find((c) => c.name === 'database')?.status).toBe('error');
    expect(noDb.body.checks.find((c) => c.name === 'cache')?.status).toBe('ready');
    await s.postgres.start();
    const back = await waitForReadyStatus(200);
    expect(back.body.status).toBe('ready');
  });

  it('reads back records, files and Redis keys intact', async () => {
    const base = the().backend.baseUrl;
    const titles = ['first', 'ünïcödé ✓', "quote ' and ; DROP TABLE rig_records; --"];
    for (const [i, title] of titles.entries()) {
      const res = await requestJson(`${base}/api/v1/records`, 'POST', {
        title,
        body: { n: i, tags: ['a', 'b'] },
      });
      expect(res.status).toBe(201);
    }
    const records = await requestJson<{
      count: number;
      checksum: string;
      records: { title: string; body: unknown }[];
    }>(`${base}/api/v1/records`);
    expect(records.body.records.map((r) => r.title)).toEqual(titles);
    expect(records.body.records[1]?.body).toEqual({ n: 1, tags: ['a', 'b'] });

    const file = randomBytes(1024 * 1024);
    const put = await request(`${base}/api/v1/files/movie-poster.bin`, {
      method: 'PUT',
      body: file,
    });
    expect(put.status).toBe(201);
    const files = await requestJson<{ files: { name: string; size: number; sha256: string }[] }>(
      `${base}/api/v1/files`,
    );
    expect(files.body.files).toContainEqual({
      name: 'movie-poster.bin',
      size: file.length,
      sha256: sha256(file),
    });
    const download = await request(`${base}/api/v1/files/movie-poster.bin`);
    expect(sha256(download.body)).toBe(sha256(file));

    const values: Record<string, string> = {
      'session:1': hexSecret(8),
      'queue:youtube': '{"jobs":[1,2,3]}',
    };
    for (const [key, value] of Object.entries(values)) {
      const put = await request(`${base}/api/v1/kv/${key}`, { method: 'PUT', body: value });
      expect(put.status).toBe(201);
    }
    for (const [key, value] of Object.entries(values)) {
      const got = await requestJson<{ value: string; sha256: string }>(`${base}/api/v1/kv/${key}`);
      expect(got.body).toEqual({ key, value, sha256: sha256(value) });
    }
    const kv = await requestJson<{ items: { key: string }[] }>(`${base}/api/v1/kv`);
    expect(kv.body.items.map((i) => i.key)).toEqual(Object.keys(values).sort());
  });

  it('stops within 10 s of SIGTERM with exit code 0, and its data survives a restart', async () => {
    const { backend } = the();
    const before = await requestJson<unknown>(`${backend.baseUrl}/api/v1/state`);
    expect(before.status).toBe(200);

    const t0 = performance.now();
    await backend.container.stop({ t: 30 });
    const elapsed = performance.now() - t0;
    const info = await backend.container.inspect();
    expect(info.State.Running).toBe(false);
    expect(info.State.ExitCode).toBe(0);
    expect(elapsed).toBeLessThan(10_000);

    await backend.container.start();
    await waitForBackend(backend);
    const after = await requestJson<unknown>(`${backend.baseUrl}/api/v1/state`);
    expect(after.body).toEqual(before.body);
  });

  it('refuses to start in production with a weak secret, naming it without its value', async () => {
    const { env, docker, stack: s } = the();
    const weak = `test-${hexSecret(20)}`;
    const refused = await runContainer(docker, {
      suite: SUITE,
      name: `${s.network}-weak-secret`,
      image: imageOf(env, 'backend'),
      network: s.network,
      env: { ...s.backendEnv, JWT_SECRET: weak },
      capDrop: ['ALL'],
    });
    const exitCode = await waitForExit(refused, 30_000);
    const log = await logsOf(refused);
    expect(exitCode).not.toBe(0);
    expect(log).toContain('JWT_SECRET');
    expect(log).not.toContain(weak);
    for (const value of Object.values(s.backendEnv)) expect(log).not.toContain(value);
  });
});
