/**
 * A Docker engine appearing and going away, as when a user installs or starts Docker while the setup
 * page waits. The shared rig engine is never touched: DOCKER_HOST points at a socket this test owns,
 * and a tiny proxy on it (piping to the rig's socket) plays the engine being started and stopped.
 * Needs the rig's engine; fails, never skips, without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../../server/src/contract/doctor.js';
import type { DomainEvent } from '../../server/src/contract/events.js';
import { EngineWatcher, findAnsweringEngine } from '../../server/src/core/doctor/engine-watcher.js';
import { EventBus } from '../../server/src/core/events/event-bus.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createDockerGateway } from '../../server/src/infra/docker/dockerode-gateway.js';
import { NodeHostProbe } from '../../server/src/infra/system/node-host-probe.js';
import { engineProxy } from './support/engine-proxy.js';

const TOKEN = 'd8'.repeat(32);

const until = async (what: string, check: () => boolean, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const dir = mkdtempSync(join(tmpdir(), 'mna-appears-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

describe('a Docker engine appearing and going away', () => {
  it('the watcher publishes "appeared" and "went away" as the engine starts and stops', async () => {
    const socket = join(dir, 'w.sock');
    const engine = engineProxy(socket);
    cleanups.push(() => engine.stop());
    const events: DomainEvent[] = [];
    const watcher = new EngineWatcher({
      probe: () =>
        findAnsweringEngine(
          {
            env: { DOCKER_HOST: `unix://${socket}` },
            platform: process.platform,
            homeDir: homedir(),
            uid: process.getuid?.() ?? 0,
            probe: new NodeHostProbe(),
          },
          createDockerGateway,
        ),
      publish: (e) => events.push(e),
      now: () => new Date(),
      absentMs: 200,
      presentMs: 200,
    });
    watcher.start();
    cleanups.push(() => watcher.stop());
    await new Promise((r) => setTimeout(r, 600));
    expect(events).toEqual([]);

    await engine.start();
    await until('engine.appeared', () => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'engine.appeared', endpoint: `unix://${socket}` });

    await engine.stop();
    await until('engine.went-away', () => events.length === 2);
    expect(events[1]).toMatchObject({ type: 'engine.went-away', endpoint: `unix://${socket}` });

    await engine.start();
    await until('engine.appeared again', () => events.length === 3);
    expect(events.map((e) => e.type)).toEqual([
      'engine.appeared',
      'engine.went-away',
      'engine.appeared',
    ]);
  });

  it('the server: the doctor shows the install plan, then the engine appears and the plan goes', async () => {
    const socket = join(dir, 's.sock');
    const engine = engineProxy(socket);
    cleanups.push(() => engine.stop());
    const home = mkdtempSync(join(dir, 'home-'));
    const bus = new EventBus();
    const seen: DomainEvent[] = [];
    bus.subscribe((published) => seen.push(published.event));
    const server: AppServer = createServer({
      home,
      token: TOKEN,
      env: { DOCKER_HOST: `unix://${socket}` },
      bus,
    });
    cleanups.push(() => server.stop());
    const { url } = await server.start();
    const doctor = async () => {
      const res = await fetch(`${url}/api/doctor?httpPort=18090&httpsPort=18453`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return DoctorReportSchema.parse(await res.json());
    };

    const before = await doctor();
    expect(before.engine?.reachable).toBe(false);
    expect(before.installPlan?.summary).toBeTruthy();
    expect(before.checks.find((c) => c.id === 'engine.reachable')?.status).toBe('fail');

    await engine.start();
    // The page needs no "Check again": the event arrives by itself (the watcher looks every 3 s).
    await until('engine.appeared on the bus', () => seen.some((e) => e.type === 'engine.appeared'));
    const after = await doctor();
    expect(after.engine?.reachable).toBe(true);
    expect(after.installPlan).toBeUndefined();
  });
});
