/**
 * The monitoring profile on the rig, with Debian's real Prometheus (2.42) as the prometheus image:
 * a prod stack installed the user's way (`init --profile monitoring`, `up`), then Prometheus, reached
 * on the port the stack publishes on 127.0.0.1, really scrapes the backend's /metrics with the bearer
 * token it reads from /run/secrets/metrics_token, and the backend refuses /metrics without it. After
 * `secrets rotate metrics_token` Prometheus scrapes with the new token.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../server/src/contract/stack.js';
import { cli, cliOk } from './support/cli.js';
import { waitUntil } from './support/containers.js';
import { request } from './support/http.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { execInService } from './support/service-exec.js';

const PROJECT = 'mnprom';
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-prom-'));
const env = stackEnv(rig.dockerHost, PROJECT);
const H = ['--home', home];
const label = `com.docker.compose.project=${PROJECT}`;
// profile-monitoring.yaml publishes Prometheus on 127.0.0.1:9090 (fixed; suites run one at a time).
const PROMETHEUS = 'http://127.0.0.1:9090';
const JOB = 'medianest-backend';
// The scrape interval in files/config/prometheus/prometheus.yml is 30 s: a first attempt that comes
// before the backend listens fails, the next one 30 s later must succeed.
const SCRAPE_WAIT_MS = 90_000;

interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function prometheusJson<T>(path: string): Promise<T> {
  const res = await request(`${PROMETHEUS}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.toString()}`);
  const body = res.json<{ status: string; data: T }>();
  if (body.status !== 'success') throw new Error(`GET ${path}: ${JSON.stringify(body)}`);
  return body.data;
}

async function backendTarget(): Promise<Target | undefined> {
  const data = await prometheusJson<{ activeTargets: Target[] }>('/api/v1/targets');
  return data.activeTargets.find((t) => t.labels['job'] === JOB);
}

/** The backend's target once a scrape that started after `since` has succeeded. */
function scrapedUpSince(since: number): Promise<Target> {
  return waitUntil(
    `Prometheus to scrape ${JOB} successfully`,
    async () => {
      const target = await backendTarget();
      if (!target || Date.parse(target.lastScrape) <= since) return undefined;
      if (target.health !== 'up') throw new Error(`target ${target.health}: ${target.lastError}`);
      return target;
    },
    SCRAPE_WAIT_MS,
    1_000,
  );
}

async function query(promql: string): Promise<Sample[]> {
  const data = await prometheusJson<{ resultType: string; result: Sample[] }>(
    `/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  expect(data.resultType).toBe('vector');
  return data.result;
}

/**
 * The status of GET backend:4000/metrics from inside Prometheus's container (its address, its
 * network), with the given curl config on stdin so no token ever appears in a command line.
 */
async function metricsStatusFromPrometheus(curlConfig = ''): Promise<string> {
  const out = await execInService(
    docker,
    label,
    'prometheus',
    ['curl', '-so', '/dev/null', '-w', '%{http_code}', '-K', '-', 'http://backend:4000/metrics'],
    { stdin: curlConfig },
  );
  return out.stdout;
}

const bearer = (token: string): string => `header = "Authorization: Bearer ${token}"\n`;
const metricsToken = (): string =>
  readFileSync(join(home, 'stack', 'secrets', 'metrics_token'), 'utf8').trim();

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await initStack(rig, home, env, rig.imagesFile, ['--profile', 'monitoring']);
  await cliOk(['up', ...H], env);
}, 180_000);

afterAll(async () => {
  await cli(['down', ...H], env);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('Prometheus (the real program) on the monitoring profile', () => {
  it('is healthy and ready on its published port, and is a real Prometheus build', async () => {
    const status = JSON.parse(
      (await cliOk(['status', '--json', ...H], env)).stdout,
    ) as ServiceStatus[];
    expect(status.find((s) => s.service === 'prometheus')).toMatchObject({
      state: 'running',
      health: 'healthy',
    });
    const healthy = await request(`${PROMETHEUS}/-/healthy`);
    expect(healthy.status).toBe(200);
    expect(healthy.body.toString()).toMatch(/Prometheus.*Healthy/);
    expect((await request(`${PROMETHEUS}/-/ready`)).status).toBe(200);
    // The old node stand-in answered buildinfo without the Go toolchain a real build reports.
    const build = await prometheusJson<{ version: string; goVersion?: string }>(
      '/api/v1/status/buildinfo',
    );
    expect(build.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(build.goVersion).toMatch(/^go\d/);
  });

  it("scrapes the backend's /metrics with the token from metrics_token: target up, no error", async () => {
    const target = await scrapedUpSince(0);
    expect(target).toMatchObject({
      scrapeUrl: 'http://backend:4000/metrics',
      health: 'up',
      lastError: '',
    });
  }, 120_000);

  it("answers PromQL with what it scraped: up is 1 and the backend's own metric is there", async () => {
    const up = await query(`up{job="${JOB}"}`);
    expect(up).toHaveLength(1);
    expect(up[0]?.metric).toMatchObject({ instance: 'backend:4000', job: JOB });
    expect(up[0]?.value[1]).toBe('1');
    // medianest_up is exported by the backend itself (not a series Prometheus makes per target).
    const own = await query(`medianest_up{job="${JOB}"}`);
    expect(own.map((s) => s.value[1])).toEqual(['1']);
    const samples = await query(`scrape_samples_scraped{job="${JOB}"}`);
    expect(Number(samples[0]?.value[1])).toBeGreaterThan(0);
  });

  it('the token matters: from the same address the backend answers 401 without it or with a wrong one', async () => {
    expect(await metricsStatusFromPrometheus()).toBe('401');
    expect(await metricsStatusFromPrometheus(bearer('0'.repeat(64)))).toBe('401');
    expect(await metricsStatusFromPrometheus(bearer(metricsToken()))).toBe('200');
  });

  it('after `secrets rotate metrics_token` Prometheus scrapes with the new token', async () => {
    const old = metricsToken();
    const out = await cliOk(['secrets', 'rotate', 'metrics_token', ...H], env);
    expect(out.stdout).toMatch(/Recreated: .*prometheus/);
    const rotatedAt = Date.now();
    expect(metricsToken()).not.toBe(old);
    const target = await scrapedUpSince(rotatedAt);
    expect(target.lastError).toBe('');
    expect(await metricsStatusFromPrometheus(bearer(old))).toBe('401');
    const up = await query(`up{job="${JOB}"}`);
    expect(up[0]?.value[1]).toBe('1');
  }, 180_000);
});
