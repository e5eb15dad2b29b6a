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
import type { ServerEvent } from '../../server/src/contract/events.js';
import { installAndWatch, type WatchedStack } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = 'mnhealth';
const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-health-'));
const proxyPath = join(dir, 'engine.sock');
let proxy: Server;
let proxyOpen = true;
const sockets = new Set<Socket>();
let stack: WatchedStack;

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

const after =
  (since: number) =>
  (e: ServerEvent): boolean =>
    stack.recorder.events.indexOf(e) >= since;

beforeAll(async () => {
  await startProxy();
  stack = await installAndWatch(docker, rig, PROJECT, {}, { dockerHost: `unix://${proxyPath}` });
});

afterAll(async () => {
  await stack?.remove();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('live health from the engine event stream', () => {
  it('sees redis killed: its state, MediaNest down, the tray change, the services affected', async () => {
    const mark = stack.recorder.events.length;
    const killedAt = Date.now();
    await (await stack.containerOf('redis')).kill();
    const changed = await stack.recorder.waitFor(
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
    const tray = await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'tray.changed' }> =>
        after(mark)(e) && e.type === 'tray.changed' && e.state === 'down',
      10_000,
    );
    expect(tray.problems.join(' ')).toContain('redis exited');
    const health = await stack.client.stackHealth({});
    expect(health).toMatchObject({ status: 'down' });
    expect(health.reason).toContain('redis exited');
    // What needs Redis, by the compose file's depends_on.
    expect(health.affected).toMatchObject({
      backend: ['redis'],
      frontend: ['redis'],
      nginx: ['redis'],
    });
    expect(health.services.find((s) => s.service === 'migrate')).toMatchObject({
      oneShot: true,
      state: 'exited',
      exitCode: 0,
    });
  });

  it('resolves when redis is started again', async () => {
    const mark = stack.recorder.events.length;
    await (await stack.containerOf('redis')).start();
    await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(mark)(e) && e.type === 'stack.status-changed' && e.status === 'healthy',
      30_000,
    );
    expect((await stack.client.stackHealth({})).status).toBe('healthy');
  });

  it('reports a lost engine as unknown, then resyncs to the truth when it is back', async () => {
    const mark = stack.recorder.events.length;
    proxyOpen = false;
    for (const s of sockets) s.destroy();
    await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(mark)(e) && e.type === 'stack.status-changed' && e.status === 'unknown',
      10_000,
    );
    const tray = await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'tray.changed' }> =>
        after(mark)(e) && e.type === 'tray.changed' && e.state === 'unknown',
      10_000,
    );
    expect(tray.tooltip).toContain('not reachable');
    // While it is away, the backend stops: the resync must show it, not the stale "healthy".
    await (await stack.containerOf('backend')).stop({ t: 15 });
    const back = stack.recorder.events.length;
    proxyOpen = true;
    const degraded = await stack.recorder.waitFor(
      (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
        after(back)(e) && e.type === 'stack.status-changed' && e.status !== 'unknown',
      30_000,
    );
    expect(degraded.status).toBe('down');
    expect(degraded.reason).toContain('backend is stopped');
  });
});
