/**
 * Live health on the rig, through the server: killing redis degrades the stack and reaches the
 * event stream and the tray state; starting it again resolves it; an engine that goes away is
 * `unknown` (never a stale "healthy") and, once it is back, a resync shows the truth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { cliOk } from './support/cli.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = 'mnhealth';
const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-health-'));
const home = join(dir, 'home');
const proxyPath = join(dir, 'engine.sock');
let proxy: Server;
let proxyOpen = true;
const sockets = new Set<Socket>();
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;

/** The rig's socket behind a switch, so the engine can "go away" without stopping the shared rig. */
function startProxy(): Promise<void> {
  proxy = createNetServer((inbound) => {
    if (!proxyOpen) return inbound.destroy();
    const upstream = connect(rig.dockerHost.replace('unix://', ''));
    sockets.add(inbound).add(upstream);
    inbound.pipe(upstream).pipe(inbound);
    const drop = (): void => {
      inbound.destroy();
      upstream.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) => proxy.listen(proxyPath, resolve));
}

const removeProject = (): Promise<void> => removeComposeProject(docker, PROJECT);

async function containerOf(service: string): Promise<string> {
  const [c] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`],
    },
  });
  return c?.Id ?? '';
}

const after =
  (since: number) =>
  (e: ServerEvent): boolean =>
    recorder.events.indexOf(e) >= since;

beforeAll(async () => {
  await removeProject();
  await startProxy();
  const env = {
    ...process.env,
    DOCKER_HOST: `unix://${proxyPath}`,
    MEDIANEST_COMPOSE_PROJECT: PROJECT,
  };
  const port = 36_000 + Math.floor(Math.random() * 3_000);
  await cliOk(
    [
      'init',
      '--home',
      home,
      '--images',
      rig.imagesFile,
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ],
    env,
  );
  await cliOk(['up', '--home', home], env);
  server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
  recorder = await recordEvents(url, token);
  await recorder.waitFor(
    (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
      e.type === 'stack.status-changed' && e.status === 'healthy',
    30_000,
  );
});

afterAll(async () => {
  recorder.close();
  await server.stop();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await removeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('live health from the engine event stream', () => {
  it('sees redis killed: its state, the overall status and the tray change', async () => {
    const mark = recorder.events.length;
    const killedAt = Date.now();
    await docker.getContainer(await containerOf('redis')).kill();
    const changed = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'service.state-changed' }> =>
        after(mark)(e) &&
        e.type === 'service.state-changed' &&
        e.service.service === 'redis' &&
        e.service.state === 'exited',
      10_000,
    );
    console.log(
      `redis kill -> service.state-changed at the SSE client: ${Date.now() - killedAt} ms`,
    );
    expect(changed.previous).toBe('healthy');
    const tray = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'tray.changed' }> =>
        after(mark)(e) && e.type === 'tray.changed' && e.state === 'degraded',
      10_000,
    );
    expect(tray.problems.join(' ')).toContain('redis exited');
    const health = await client.stackHealth({});
    expect(health).toMatchObject({ status: 'degraded' });
    expect(health.reason).toContain('redis exited');
  });

  it('resolves when redis is started again', async () => {
    const mark = recorder.events.length;
    await docker.getContainer(await containerOf('redis')).start();
    await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(mark)(e) && e.type === 'stack.status-changed' && e.status === 'healthy',
      30_000,
    );
    expect((await client.stackHealth({})).status).toBe('healthy');
  });

  it('reports a lost engine as unknown, then resyncs to the truth when it is back', async () => {
    const mark = recorder.events.length;
    proxyOpen = false;
    for (const s of sockets) s.destroy();
    await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(mark)(e) && e.type === 'stack.status-changed' && e.status === 'unknown',
      10_000,
    );
    const tray = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'tray.changed' }> =>
        after(mark)(e) && e.type === 'tray.changed' && e.state === 'unknown',
      10_000,
    );
    expect(tray.tooltip).toContain('not reachable');
    // While it is away, the backend stops: the resync must show it, not the stale "healthy".
    await docker.getContainer(await containerOf('backend')).stop({ t: 15 });
    const back = recorder.events.length;
    proxyOpen = true;
    const degraded = await recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(back)(e) && e.type === 'stack.status-changed' && e.status !== 'unknown',
      30_000,
    );
    expect(degraded.status).toBe('degraded');
    expect(degraded.reason).toContain('backend exited');
  });
});
