/**
 * The rig's stand-ins honour MediaNest's contract: a mini stack (PostgreSQL, Redis, migrate, backend)
 * on the rig's engine, driven through the backend's HTTP API on a loopback port.
 * Needs DOCKER_HOST and MEDIANEST_IMAGES from `tests/rig/up.sh`; fails without them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  execIn,
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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

  // Every request of this suite to the first backend (production, 100 per 15 minutes) comes from one
  // address: startBackend 1, this test 1, records 12, SIGTERM 1 (its restart starts a new count),
  // 15 in all, well under the limit.
  it('answers /health/ready without looking at PostgreSQL or Redis, like the real one (R4)', async () => {
    const s = the().stack;
    const notConfigured = [
      ['database', 'not_configured'],
      ['cache', 'not_configured'],
    ];
    await Promise.all([s.postgres.stop({ t: 10 }), s.redis.stop({ t: 10 })]);
    try {
      const down = await ready();
      expect(down.status).toBe(200);
      expect(down.body.status).toBe('ready');
      expect(down.body.checks.map((c) => [c.name, c.status])).toEqual(notConfigured);
    } finally {
      await Promise.all([s.postgres.start(), s.redis.start()]);
      const redisPassword = new URL(s.redisUrl).password;
      await waitUntil('postgres to accept connections again', async () => {
        const r = await execIn(s.postgres, ['pg_isready', '-U', 'medianest', '-d', 'medianest']);
        return r.exitCode === 0 ? true : undefined;
      });
      await waitUntil('redis to answer PING again', async () => {
        const r = await execIn(s.redis, [
          'redis-cli',
          '--no-auth-warning',
          '-a',
          redisPassword,
          'ping',
        ]);
        return r.stdout.trim() === 'PONG' ? true : undefined;
      });
    }
  });

  it('limits each client to RIG_RATE_LIMIT_MAX requests per window on every route in production (R3)', async () => {
    const { env, docker, stack: s } = the();
    const windowMs = 4000;
    const limit = { RIG_RATE_LIMIT_MAX: '5', RIG_RATE_LIMIT_WINDOW_MS: String(windowMs) };
    const [limited, dev] = await Promise.all([
      startBackend(docker, env, s, limit, 'limited'),
      startBackend(docker, env, s, { ...limit, NODE_ENV: 'development' }, 'dev'),
    ]);
    // startBackend's own /api/health counted; let that window pass
    await sleep(windowMs + 500);

    const base = limited.baseUrl;
    for (let i = 1; i <= 5; i++) {
      const ok = await request(`${base}/api/health`);
      expect(ok.status, `request ${i}`).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('5');
      expect(ok.headers['ratelimit-remaining']).toBe(String(5 - i));
    }
    const refused = await request(`${base}/api/health`);
    const refusedAt = Date.now();
    expect(refused.status).toBe(429);
    expect(refused.json<{ error: string }>().error).toMatch(/^Too many requests/);
    expect(refused.headers['ratelimit-limit']).toBe('5');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    const reset = Number(refused.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(windowMs / 1000);
    // the health routes and the API alike
    expect((await request(`${base}/health/ready`)).status).toBe(429);
    expect((await request(`${base}/api/v1/records`)).status).toBe(429);

    // one warning per client and window, however many requests it refused
    const warnings = (await logsOf(limited.container))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) => JSON.parse(l) as { level: string; msg: string; client?: string; requests?: number },
      )
      .filter((l) => l.msg === 'rate limit exceeded');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', requests: 6 });
    const gateway = (await docker.getNetwork(s.network).inspect()).IPAM?.Config?.[0]?.Gateway;
    expect(warnings[0]?.client).toBe(gateway);

    // a new window for the same client
    await sleep(refusedAt + reset * 1000 + 250 - Date.now());
    const again = await request(`${base}/api/health`);
    expect(again.status).toBe(200);
    expect(again.headers['ratelimit-remaining']).toBe('4');

    // not in development, whatever the stand-in's RIG_RATE_LIMIT_* say
    for (let i = 1; i <= 7; i++) {
      const r = await request(`${dev.baseUrl}/api/health`);
      expect(r.status, `development request ${i}`).toBe(200);
      expect(r.headers['ratelimit-limit']).toBeUndefined();
    }
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
