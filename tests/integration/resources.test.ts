/**
 * Resources and deep checks against the rig: the installed stack's containers yield sane readings
 * through the API and the `resources.sampled` event, every running container read on one timer and
 * no longer once it stops, the cgroup files giving the engine's own figures, downsampled history with the right step, disk usage, `/metrics`
 * with CPU and memory, and the backend's deep check failing while PostgreSQL is stopped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import type { ServiceHealth } from '../../server/src/contract/health.js';
import { ResourceSampler } from '../../server/src/core/health/resources-sampler.js';
import { sampleFromStats } from '../../server/src/core/health/resources-stats.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import {
  locateCgroup,
  readCgroupStats,
  type CgroupLocation,
} from '../../server/src/infra/docker/cgroup-stats.js';
import { DockerodeStatsGateway } from '../../server/src/infra/docker/dockerode-stats-gateway.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { waitUntil } from './support/containers.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { request } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mnres${Date.now().toString(36)}`;
const home = mkdtempSync(join(tmpdir(), 'mna-res-'));
const httpPort = await freeHttpPort();
const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
const LONG_RUNNING = ['backend', 'frontend', 'nginx', 'postgres', 'redis'];
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;
let base = '';
let token = '';

async function containerOf(service: string): Promise<string> {
  const [found] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`],
    },
  });
  if (!found) throw new Error(`no ${service} container`);
  return found.Id;
}

async function serviceHealth(service: string): Promise<ServiceHealth | undefined> {
  return (await client.stackHealth({})).services.find((s) => s.service === service);
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  server = createServer({
    home,
    env: { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT },
    logger: createLogger({ write: () => undefined }),
    monitoring: { deepCheckIntervalMs: 1000, publishIntervalMs: 1000 },
  });
  ({ url: base, token } = await server.start());
  client = createApiClient({ baseUrl: base, token });
  recorder = await recordEvents(base, token);
  const { jobId } = await client.install({
    settings: { images, httpPort, httpsPort: httpPort + 1, pullPolicy: 'never' },
  });
  const end = await recorder.waitFor(
    (e): e is Extract<ServerEvent, { type: 'job.finished' }> =>
      e.type === 'job.finished' && e.jobId === jobId,
    170_000,
  );
  expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
});

afterAll(async () => {
  recorder?.close();
  await server?.stop();
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('resources of the running stack', () => {
  it('reads every running service with sane values, through the API and the live event', async () => {
    const latest = await waitUntil('a reading of every running service', async () => {
      const snapshot = await client.resourcesLatest({});
      const names = snapshot.services.map((s) => s.service).sort();
      return LONG_RUNNING.every((s) => names.includes(s)) ? snapshot : undefined;
    });
    // The migration job has exited: no reading for it.
    expect(latest.services.map((s) => s.service)).not.toContain('migrate');
    for (const s of latest.services) {
      expect(s.cpuPercent, s.service).toBeGreaterThanOrEqual(0);
      expect(s.memoryBytes, s.service).toBeGreaterThan(0);
      expect(s.memoryBytes, s.service).toBeLessThan(s.memoryLimitBytes);
      expect(s.networkRxBytes, s.service).toBeGreaterThan(0);
    }
    // The backend runs with a 1 GiB limit in the compose file.
    expect(latest.services.find((s) => s.service === 'backend')?.memoryLimitBytes).toBe(2 ** 30);

    const event = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'resources.sampled' }> =>
        e.type === 'resources.sampled' && e.services.length >= LONG_RUNNING.length,
      10_000,
    );
    expect(event.services.map((s) => s.service).sort()).toEqual(
      expect.arrayContaining(LONG_RUNNING),
    );
  });

  it('reads every running container, none once stopped, and again after a restart', async () => {
    const sampler = new ResourceSampler({
      gateway: () => new DockerodeStatsGateway(rig.dockerHost),
      project: PROJECT,
      now: () => new Date(),
      publish: () => undefined,
    });
    sampler.start();
    try {
      await sampler.reconcile();
      const running = await docker.listContainers({
        filters: { label: [`com.docker.compose.project=${PROJECT}`], status: ['running'] },
      });
      expect(sampler.watchedContainers).toBe(running.length);
      await waitUntil('a redis reading', async () =>
        sampler.snapshot().services.some((s) => s.service === 'redis') ? true : undefined,
      );

      const redis = docker.getContainer(await containerOf('redis'));
      await redis.stop({ t: 5 });
      await sampler.reconcile();
      expect(sampler.watchedContainers).toBe(running.length - 1);
      expect(sampler.snapshot().services.map((s) => s.service)).not.toContain('redis');

      // Same container, new process (and, with the cgroup files, a new cgroup of the same name).
      await redis.start();
      await sampler.reconcile();
      expect(sampler.watchedContainers).toBe(running.length);
      await sampler.sample();
      const back = sampler.snapshot().services.find((s) => s.service === 'redis');
      expect(back?.memoryBytes).toBeGreaterThan(0);
    } finally {
      await sampler.stop();
    }
    expect(sampler.watchedContainers).toBe(0);
  });

  it('reads from the cgroup files the figures the engine gives (local engine)', async () => {
    const engine = new DockerodeStatsGateway(rig.dockerHost, { readCgroups: false });
    const memoryAgrees = async (where: CgroupLocation, id: string): Promise<boolean> => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = sampleFromStats('m', (await readCgroupStats(where))!)!.memoryBytes;
        const api = sampleFromStats('m', (await engine.read(id, AbortSignal.timeout(10_000)))!)!;
        const after = sampleFromStats('m', (await readCgroupStats(where))!)!.memoryBytes;
        const low = Math.min(before, after) * 0.9;
        const high = Math.max(before, after) * 1.1;
        if (api.memoryBytes >= low && api.memoryBytes <= high) return true;
      }
      return false;
    };
    for (const service of ['postgres', 'nginx', 'backend']) {
      const info = await docker.getContainer(await containerOf(service)).inspect();
      const where = await locateCgroup(info.Id, info.State.Pid, true);
      expect(where, `${service}: cgroup files found`).toBeDefined();
      const [fromFiles, fromEngine] = await Promise.all([
        readCgroupStats(where!),
        engine.read(info.Id, AbortSignal.timeout(10_000)),
      ]);
      const files = sampleFromStats(service, fromFiles!)!;
      const api = sampleFromStats(service, fromEngine!)!;
      expect(files.memoryLimitBytes, service).toBe(api.memoryLimitBytes);
      // The engine answers from its next collection, up to a second later, and a Node backend's
      // heap can grow or be collected by megabytes in that second: the engine's figure lies between
      // two file reads bracketing it (10 % either side). A formula that counted the page cache or
      // missed a part would be off in every attempt; a garbage collection in one attempt is not.
      expect(await memoryAgrees(where!, info.Id), service).toBe(true);
      expect(files.networkRxBytes, service).toBeGreaterThan(0);
      expect(Math.abs(files.networkRxBytes - api.networkRxBytes), service).toBeLessThan(
        0.1 * api.networkRxBytes + 10_000,
      );
      expect(files.blockReadBytes, service).toBe(api.blockReadBytes);
      const cpu = (raw: typeof fromFiles) => raw?.cpu_stats?.cpu_usage?.total_usage ?? 0;
      expect(cpu(fromFiles), service).toBeGreaterThan(0);
      expect(Math.abs(cpu(fromFiles) - cpu(fromEngine)), service).toBeLessThan(0.5e9);
      expect(fromFiles?.cpu_stats?.online_cpus).toBe(fromEngine?.cpu_stats?.online_cpus);
    }
  });

  it('fails the backend deep check while PostgreSQL is stopped, and clears it when it is back', async () => {
    await waitUntil(
      'the backend deep check passing',
      async () => {
        const backend = await serviceHealth('backend');
        return backend?.deepCheck?.ok ? backend : undefined;
      },
      90_000,
    );
    const postgresCheck = (await serviceHealth('postgres'))?.deepCheck;
    expect(postgresCheck?.ok).toBe(true);
    expect(postgresCheck?.output).toContain('accepting connections');
    await waitUntil('the redis deep check passing', async () =>
      (await serviceHealth('redis'))?.deepCheck?.ok ? true : undefined,
    );
    expect((await serviceHealth('redis'))?.deepCheck?.output).toBe('PONG');

    const postgres = docker.getContainer(await containerOf('postgres'));
    await postgres.stop({ t: 10 });
    try {
      const backend = await waitUntil(
        'the backend deep check failing',
        async () => {
          const b = await serviceHealth('backend');
          return b?.deepCheck?.ok === false ? b : undefined;
        },
        30_000,
      );
      expect(backend.deepCheck?.output).toContain('database: error');
      // PostgreSQL stopped is MediaNest down; the backend's failing deep check is its consequence,
      // kept on the backend, not told a second time in the reason.
      const health = await client.stackHealth({});
      expect(health.status).toBe('down');
      expect(health.reason).toContain('postgres is stopped');
      expect(health.affected?.backend).toEqual(['postgres']);
      // A stopped service has no deep check of its own.
      expect((await serviceHealth('postgres'))?.deepCheck).toBeUndefined();
    } finally {
      await postgres.start();
    }
    await waitUntil(
      'the backend deep check passing again',
      async () => ((await serviceHealth('backend'))?.deepCheck?.ok ? true : undefined),
      90_000,
    );
  });

  it('keeps a downsampled history: 10 s points for the hour, 1 min points for the day', async () => {
    const hour = await waitUntil(
      'two finished 10 s points',
      async () => {
        const h = await client.resourcesHistory({ service: 'nginx', range: 'hour' });
        return h.points.length >= 2 ? h : undefined;
      },
      40_000,
    );
    expect(hour.stepSeconds).toBe(10);
    const times = hour.points.map((p) => Date.parse(p.at) / 1000);
    for (const t of times) expect(t % 10).toBe(0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const p of hour.points) {
      expect(p.cpuPercentMax).toBeGreaterThanOrEqual(p.cpuPercentAvg);
      expect(p.memoryBytesMax).toBeGreaterThanOrEqual(p.memoryBytesAvg);
      expect(p.memoryBytesMax).toBeLessThan(p.memoryLimitBytes);
    }
    const day = await client.resourcesHistory({ service: 'nginx', range: 'day' });
    expect(day.stepSeconds).toBe(60);
    expect(day.points.length).toBeGreaterThanOrEqual(1);
    // One point per minute the 10 s points fall in (one more if a step ended in between).
    const minutes = new Set(times.map((t) => Math.floor(t / 60)));
    expect(day.points.length).toBeLessThanOrEqual(minutes.size + 1);
    for (const p of day.points) expect((Date.parse(p.at) / 1000) % 60).toBe(0);
    expect((await client.resourcesHistory({ service: 'nginx', range: 'month' })).stepSeconds).toBe(
      600,
    );

    await expect(
      client.resourcesHistory({ service: 'nosuch', range: 'hour' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      client.resourcesHistory({ service: 'nginx', range: 'year' as 'hour' }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it('reports disk usage of the data and backup folders', async () => {
    const disk = await client.diskUsage({});
    expect(disk.data.path).toBe(server.paths.dataDir);
    expect(disk.data.exists).toBe(true);
    expect(disk.data.usedBytes).toBeGreaterThan(0);
    expect(disk.data.filesystemFreeBytes).toBeGreaterThan(0);
    expect(disk.data.filesystemFreeBytes).toBeLessThanOrEqual(disk.data.filesystemTotalBytes);
    expect(disk.backups.path).toBe(server.paths.backupsDir);
  });

  it('puts CPU and memory per service into /metrics', async () => {
    const cpu = /^medianest_appliance_service_cpu_percent\{service="postgres"\} [\d.e+-]+$/m;
    const memory = /^medianest_appliance_service_memory_bytes\{service="redis"\} [1-9]\d*$/m;
    // PostgreSQL and Redis were restarted above: they are read again within seconds.
    const text = await waitUntil(
      'postgres and redis in /metrics',
      async () => {
        const res = await request(`${base}/metrics`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        const body = res.body.toString('utf8');
        return cpu.test(body) && memory.test(body) ? body : undefined;
      },
      30_000,
    );
    expect(text).toContain('# TYPE medianest_appliance_service_memory_limit_bytes gauge');
  });
});
