import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import { FakeEngine } from '../stack/fake-engine.test-support.js';
import { planStack, type StackPlan } from '../stack/plan.js';
import type { StackEngineEvent, StackGateway } from '../stack/stack-gateway.js';
import { HealthMonitor, type HealthMonitorDeps } from './health-monitor.js';

const hc = { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 1, start_period: '0s' };
const plan: StackPlan = planStack(
  {
    services: {
      redis: { image: 'redis', networks: { backend: {} }, healthcheck: hc },
      backend: { image: 'backend', networks: { backend: {} }, healthcheck: hc },
      migrate: { image: 'backend', networks: { backend: {} }, restart: 'no' },
    },
    networks: { backend: {} },
  },
  { project: 'medianest', composeFile: '/s/c.yaml', workingDir: '/s', fileHashes: new Map() },
);

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A monitor of `engine` on the plan above, keeping what it publishes; `over` replaces any dependency. */
function monitorOf(engine: StackGateway, over: Partial<HealthMonitorDeps> = {}) {
  const events: DomainEvent[] = [];
  const monitor = new HealthMonitor({
    gateway: () => engine,
    plan: async () => plan,
    project: 'medianest',
    publish: (e) => events.push(e),
    now: () => new Date(),
    ...over,
  });
  return { monitor, events };
}

async function running(engine: FakeEngine): Promise<void> {
  for (const s of plan.services) {
    const id = await engine.createContainer(s);
    await engine.startContainer(id);
  }
  await new Promise((r) => setTimeout(r, 20));
}

/** A monitor of a stack whose every service runs, started and past its first inspect. */
async function watchingHealthyStack() {
  const engine = new FakeEngine();
  await running(engine);
  const { monitor, events } = monitorOf(engine);
  monitor.start();
  await until(() => monitor.snapshot().status === 'healthy');
  return { engine, monitor, events };
}

describe('the health monitor', () => {
  it('starts from one inspect, then follows events: an exited service degrades the stack', async () => {
    const { engine, monitor, events } = await watchingHealthyStack();
    const redis = [...engine.containers.values()].find((c) => c.service === 'redis')!;
    redis.state = 'exited';
    redis.exitCode = 137;
    redis.oomKilled = true;
    (engine as unknown as { emit(e: StackEngineEvent): void }).emit({
      kind: 'die',
      service: 'redis',
      containerId: redis.id,
      exitCode: 137,
    });
    await until(() => monitor.snapshot().status === 'degraded');
    expect(monitor.snapshot().reason).toBe('redis ran out of memory.');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'stack.status-changed', status: 'degraded' }),
    );
    const changes = events.filter(
      (e): e is Extract<DomainEvent, { type: 'service.state-changed' }> =>
        e.type === 'service.state-changed' &&
        e.service.service === 'redis' &&
        e.service.state === 'exited',
    );
    // The exit is told at once; the OOM flag the die event lacks follows from the inspect.
    expect(changes[0]?.previous).toBe('healthy');
    expect(changes[0]?.service).toMatchObject({ exitCode: 137 });
    expect(changes.at(-1)?.service).toMatchObject({ exitCode: 137, oomKilled: true });
    await monitor.stop();
  });

  it('reports an engine that goes away as unknown, reconnects, and resyncs', async () => {
    const engine = new FakeEngine();
    await running(engine);
    let up = true;
    let failNext: (() => void) | undefined;
    const flaky: StackGateway = Object.assign(Object.create(engine) as StackGateway, {
      listContainers: () =>
        up ? engine.listContainers() : Promise.reject(new Error('connect ECONNREFUSED')),
      events: (project: string, signal: AbortSignal, onOpen?: () => void) => {
        if (!up) throw new Error('connect ECONNREFUSED');
        const inner = engine.events(project, signal)[Symbol.asyncIterator]();
        return {
          [Symbol.asyncIterator]: () => ({
            next: () =>
              new Promise<IteratorResult<StackEngineEvent>>((resolve, reject) => {
                onOpen?.();
                failNext = () => reject(new Error('socket hang up'));
                void inner.next().then(resolve, reject);
              }),
          }),
        };
      },
    });
    const { monitor } = monitorOf(flaky, { backoffMs: [20] });
    monitor.start();
    await until(() => monitor.snapshot().status === 'healthy');
    up = false;
    failNext?.();
    await until(() => monitor.snapshot().status === 'unknown');
    // Plain words for the UI and the tray: no error code.
    expect(monitor.snapshot().reason).toBe('The Docker engine is not reachable; reconnecting.');
    // While it was away, backend crashed: the resync must see it, not keep a stale "healthy".
    const backend = [...engine.containers.values()].find((c) => c.service === 'backend')!;
    backend.state = 'exited';
    backend.exitCode = 1;
    up = true;
    // The backend is MediaNest itself: without it MediaNest is down, not degraded.
    await until(() => monitor.snapshot().status === 'down');
    expect(monitor.snapshot().reason).toBe('backend exited with code 1.');
    await monitor.stop();
  });

  it('calls a stack with nothing installed stopped, not healthy', async () => {
    const engine = new FakeEngine();
    const { monitor } = monitorOf(engine, { plan: async () => undefined });
    monitor.start();
    await until(() => monitor.snapshot().status === 'stopped');
    expect(monitor.snapshot().reason).toBe('The stack is not installed.');
    await monitor.stop();
  });
});

describe('deep checks and late plans in the health monitor', () => {
  it('degrades the stack on a failing deep check, once per verdict, and drops it when the container dies', async () => {
    const { engine, monitor, events } = await watchingHealthyStack();
    const changes = (): number =>
      events.filter((e) => e.type === 'service.state-changed' && e.service.service === 'backend')
        .length;
    const before = changes();
    const failed = { ok: false, output: 'not_ready (database: error)', at: '2026-01-01T00:00:00Z' };
    monitor.setDeepCheck('backend', failed);
    monitor.setDeepCheck('backend', { ...failed, at: '2026-01-01T00:00:30Z' });
    expect(changes()).toBe(before + 1);
    expect(monitor.snapshot()).toMatchObject({
      status: 'degraded',
      reason: 'backend fails its deep check (not_ready (database: error)).',
    });
    expect(monitor.snapshot().services.find((s) => s.service === 'backend')?.deepCheck?.at).toBe(
      '2026-01-01T00:00:30Z',
    );
    monitor.setDeepCheck('backend', { ...failed, ok: true, output: 'ready' });
    expect(monitor.snapshot().status).toBe('healthy');

    const backend = [...engine.containers.values()].find((c) => c.service === 'backend')!;
    backend.state = 'exited';
    backend.exitCode = 0;
    (engine as unknown as { emit(e: StackEngineEvent): void }).emit({
      kind: 'die',
      service: 'backend',
      containerId: backend.id,
      exitCode: 0,
    });
    await until(
      () => monitor.snapshot().services.find((s) => s.service === 'backend')?.state === 'exited',
    );
    expect(
      monitor.snapshot().services.find((s) => s.service === 'backend')?.deepCheck,
    ).toBeUndefined();
    // A late result for a container that is gone is ignored.
    monitor.setDeepCheck('backend', failed);
    expect(
      monitor.snapshot().services.find((s) => s.service === 'backend')?.deepCheck,
    ).toBeUndefined();
    await monitor.stop();
  });

  it('reads a plan written after it started (an install) when an unknown service starts', async () => {
    const engine = new FakeEngine();
    const installed: { plan?: StackPlan } = {};
    const { monitor } = monitorOf(engine, { plan: async () => installed.plan });
    monitor.start();
    await until(() => monitor.snapshot().status === 'stopped');
    installed.plan = plan;
    await running(engine);
    await until(() => monitor.snapshot().services.length === plan.services.length);
    expect(monitor.snapshot().services.find((s) => s.service === 'redis')?.state).not.toBe(
      'missing',
    );
    await monitor.stop();
  });
});
