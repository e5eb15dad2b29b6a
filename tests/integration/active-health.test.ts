/**
 * The active health probe on the rig's real engine (stand-in images, real Redis and nginx): a
 * start with `activeHealth` (what a restore does) is gated on each service's own healthcheck run
 * on demand, so it passes while Docker, whose first check comes one interval after start, still
 * says "starting"; and when it returns, the app really answers through nginx. The probe itself runs
 * the test as Docker would: the container's user and environment, exit code 0 = pass.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackProgress } from '../../server/src/contract/stack.js';
import { DockerodeHealthProbe } from '../../server/src/infra/docker/dockerode-health-probe.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createStackService } from '../../server/src/app/stack.js';
import { request } from './support/http.js';
import { initStack } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const project = `mna-ah-${randomBytes(4).toString('hex')}`;
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: project };
const home = mkdtempSync(join(tmpdir(), 'mna-active-health-'));
const paths = homePaths(home);
/** Where nginx answers on loopback, as `init` chose it. */
let httpPort = 0;
/** What a restore stops and starts again. */
const APP = ['redis', 'backend', 'frontend', 'nginx'];

async function containerOf(service: string): Promise<string> {
  const [found] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
    },
  });
  if (!found) throw new Error(`no container for ${service}`);
  return found.Id;
}

const dockerHealth = async (service: string): Promise<string | undefined> =>
  (await docker.getContainer(await containerOf(service)).inspect()).State.Health?.Status;

function secretValues(): string[] {
  const dir = paths.secretsDir;
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile() && !name.startsWith('plex_'))
    .map((name) => readFileSync(join(dir, name), 'utf8').trim());
}

/** Docker's own health verdicts for the project, with when each arrived. */
async function recordDockerHealth(): Promise<{
  seen: Array<{ service: string; status: string; at: number }>;
  stop: () => void;
}> {
  const seen: Array<{ service: string; status: string; at: number }> = [];
  const stream = (await docker.getEvents({
    filters: { label: [`com.docker.compose.project=${project}`], event: ['health_status'] },
  })) as Readable;
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const event = JSON.parse(line) as {
        status: string;
        Actor: { Attributes: Record<string, string> };
      };
      seen.push({
        service: event.Actor.Attributes['com.docker.compose.service'] ?? '',
        status: event.status.replace('health_status: ', ''),
        at: performance.now(),
      });
    }
  });
  return { seen, stop: () => stream.destroy() };
}

beforeAll(async () => {
  await removeComposeProject(docker, project);
  await initStack(rig, home, env);
  // Docker-gated, as `up` is: everything healthy by Docker's own checks.
  await createStackService(paths, env, () => undefined).up({ pullPolicy: 'never' });
  const [nginx] = await docker.listContainers({
    filters: {
      label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=nginx'],
    },
  });
  const http = nginx?.Ports.find((p) => p.PrivatePort === 80 && p.PublicPort);
  if (!http) throw new Error('nginx publishes no HTTP port');
  httpPort = http.PublicPort;
}, 300_000);

afterAll(async () => {
  await removeComposeProject(docker, project);
  rmSync(home, { recursive: true, force: true });
});

describe('a start gated by the active health probe', () => {
  it('passes each gate while Docker still says "starting", and the app answers through nginx', async () => {
    const stack = createStackService(paths, env, () => undefined);
    await stack.stop(APP);
    const progress: Array<{ event: StackProgress; at: number }> = [];
    const gated = createStackService(paths, env, (event) =>
      progress.push({ event, at: performance.now() }),
    );
    const verdicts = await recordDockerHealth();
    try {
      await gated.start(APP, { activeHealth: true });
      // Right away, through nginx on loopback: the frontend's page and the backend's API, which
      // reads PostgreSQL and Redis.
      const page = await request(`http://127.0.0.1:${httpPort}/`);
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain('MediaNest');
      const state = await request(`http://127.0.0.1:${httpPort}/api/v1/state`);
      expect(state.status).toBe(200);
      // nginx started last, a moment ago: Docker's first check of it is an interval away.
      expect(await dockerHealth('nginx')).toBe('starting');
    } finally {
      verdicts.stop();
    }
    const readyAt = (service: string): number | undefined =>
      progress.find(
        (p) =>
          p.event.type === 'stack.service-progressed' &&
          p.event.service === service &&
          p.event.action === 'ready',
      )?.at;
    for (const service of APP) {
      const ours = readyAt(service);
      expect(ours, service).toBeDefined();
      // Docker's verdict, if it came at all before we returned, came after our gate passed.
      const theirs = verdicts.seen.find((e) => e.service === service && e.status === 'healthy');
      if (theirs) expect(theirs.at, service).toBeGreaterThan(ours ?? Infinity);
    }
    expect(verdicts.seen.filter((e) => e.status === 'unhealthy')).toEqual([]);
    // Nothing the probes ran (the redis check reads its password) reached the progress events.
    const shown = JSON.stringify(progress.map((p) => p.event));
    for (const secret of secretValues()) expect(shown).not.toContain(secret);
  });

  it('runs a healthcheck as Docker does: the container user and environment, exit 0 passes', async () => {
    const probe = new DockerodeHealthProbe(rig.dockerHost);
    const backend = await containerOf('backend');
    const redis = await containerOf('redis');
    const run = (id: string, test: string[], timeoutMs = 5_000, signal?: AbortSignal) =>
      probe.check(id, test, timeoutMs, signal ?? new AbortController().signal);
    // The compose user (1001) and environment (NODE_ENV) of the backend, not root's.
    expect(await run(backend, ['CMD-SHELL', 'test "$(id -u)" = 1001'])).toBe(true);
    expect(await run(backend, ['CMD-SHELL', 'test "$(id -u)" = 0'])).toBe(false);
    expect(await run(backend, ['CMD-SHELL', 'test "$NODE_ENV" = production'])).toBe(true);
    // Exec form, no shell: the argument is not interpreted.
    expect(await run(backend, ['CMD', 'test', '$NODE_ENV', '=', 'production'])).toBe(false);
    // The redis service's own check, which reads the password file inside the container.
    expect(
      await run(redis, [
        'CMD-SHELL',
        'REDISCLI_AUTH=`cat /run/secrets/redis_password` redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG',
      ]),
    ).toBe(true);
    expect(
      await run(redis, [
        'CMD-SHELL',
        'REDISCLI_AUTH=wrong redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG',
      ]),
    ).toBe(false);
    // A check that outlasts its timeout fails, and returns at the timeout, not when it ends.
    const started = performance.now();
    expect(await run(backend, ['CMD', 'sleep', '30'], 500)).toBe(false);
    expect(performance.now() - started).toBeLessThan(20_000);
    // An abandoned run and a stopped container are not healthy; neither throws.
    const aborted = new AbortController();
    aborted.abort();
    expect(await run(backend, ['CMD', 'true'], 5_000, aborted.signal)).toBe(false);
    await createStackService(paths, env, () => undefined).stop(['nginx']);
    expect(await run(await containerOf('nginx'), ['CMD', 'true'])).toBe(false);
  });
});
