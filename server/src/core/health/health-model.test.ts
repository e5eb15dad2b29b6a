import { describe, expect, it } from 'vitest';
import type { ServiceHealth } from '../../contract/health.js';
import { affectedNow, overallStatus, stateFromDetails, type ServiceSpec } from './health-model.js';
import { essentialServices } from './service-graph.js';
import { serviceHealth as svc } from './service-health.test-support.js';

/** MediaNest's base stack as compose-templates/stack/base.yaml wires it, with a devtools extra. */
const GRAPH: Record<string, { dependsOn: string[]; oneShot?: boolean }> = {
  postgres: { dependsOn: [] },
  redis: { dependsOn: [] },
  migrate: { dependsOn: ['postgres'], oneShot: true },
  backend: { dependsOn: ['postgres', 'redis', 'migrate'] },
  frontend: { dependsOn: ['backend'] },
  nginx: { dependsOn: ['frontend', 'backend'] },
  'redis-commander': { dependsOn: ['redis'] },
};

const essential = essentialServices(
  Object.entries(GRAPH).map(([name, g]) => ({ name, dependsOn: g.dependsOn })),
);
const specs = new Map<string, ServiceSpec>(
  Object.entries(GRAPH).map(([name, g]) => [
    name,
    {
      name,
      oneShot: g.oneShot ?? false,
      hasHealthcheck: !g.oneShot,
      dependsOn: g.dependsOn,
      essential: essential.has(name),
    },
  ]),
);

/** Everything up: the long-running services healthy, migrate done (exit 0). */
const allUp = (): ServiceHealth[] =>
  Object.keys(GRAPH).map((name) =>
    name === 'migrate' ? svc(name, { state: 'exited', exitCode: 0 }) : svc(name),
  );

const withService = (list: ServiceHealth[], next: ServiceHealth): ServiceHealth[] =>
  list.map((s) => (s.service === next.service ? next : s));

describe('what MediaNest cannot work without', () => {
  it('is nginx, the backend and what they need, not the extras of a profile', () => {
    expect([...essential].sort()).toEqual([
      'backend',
      'frontend',
      'migrate',
      'nginx',
      'postgres',
      'redis',
    ]);
  });
});

describe('the overall status', () => {
  it('is healthy with migrate done (exit 0): a finished one-shot is no problem', () => {
    expect(overallStatus(allUp(), specs)).toEqual({
      status: 'healthy',
      reason: 'Every service is healthy.',
    });
  });

  it('is down, not degraded, when redis is stopped, and names it in plain words', () => {
    const services = withService(allUp(), svc('redis', { state: 'exited', exitCode: 0 }));
    expect(overallStatus(services, specs)).toEqual({
      status: 'down',
      reason: 'redis is stopped.',
    });
  });

  it('names the cause once: not the backend deep check that fails because redis is down', () => {
    const deep = { ok: false, output: 'not_ready (cache: error)', at: '2026-01-01T00:00:00Z' };
    const services = withService(
      withService(allUp(), svc('redis', { state: 'exited', exitCode: 0 })),
      svc('backend', { deepCheck: deep }),
    );
    expect(overallStatus(services, specs).reason).toBe('redis is stopped.');
  });

  it('is down when PostgreSQL fails its health check', () => {
    const services = withService(allUp(), svc('postgres', { state: 'unhealthy' }));
    expect(overallStatus(services, specs).status).toBe('down');
  });

  it('is degraded when only an extra beside MediaNest (a devtools service) is stopped', () => {
    const services = withService(allUp(), svc('redis-commander', { state: 'exited', exitCode: 0 }));
    expect(overallStatus(services, specs)).toEqual({
      status: 'degraded',
      reason: 'redis-commander is stopped.',
    });
  });

  it('calls a failed migration a failure with its code: the backend needs it, MediaNest is down', () => {
    const services = withService(allUp(), svc('migrate', { state: 'exited', exitCode: 1 }));
    expect(overallStatus(services, specs)).toEqual({
      status: 'down',
      reason: 'migrate exited with code 1.',
    });
  });

  it('says nothing of a one-shot whose container is gone, and calls a running one under way', () => {
    expect(
      overallStatus(withService(allUp(), svc('migrate', { state: 'missing' })), specs),
    ).toEqual({ status: 'healthy', reason: 'Every service is healthy.' });
    const running = withService(allUp(), svc('migrate', { state: 'running' }));
    expect(overallStatus(running, specs)).toEqual({
      status: 'degraded',
      reason: 'migrate is running.',
    });
  });
});

describe('the services affected by one that is down', () => {
  it('are those that need redis, directly or not, by the dependencies', () => {
    const services = withService(allUp(), svc('redis', { state: 'exited', exitCode: 0 }));
    expect(affectedNow(services, specs)).toEqual({
      backend: ['redis'],
      frontend: ['redis'],
      nginx: ['redis'],
      'redis-commander': ['redis'],
    });
  });

  it('are none when all is up, or when only a finished one-shot is exited', () => {
    expect(affectedNow(allUp(), specs)).toEqual({});
  });
});

describe('a service read from the engine', () => {
  it('carries what the plan says of it: a one-shot job, needed by MediaNest or not', () => {
    const migrate = stateFromDetails(specs.get('migrate')!, undefined);
    expect(migrate).toMatchObject({ oneShot: true, essential: true });
    const commander = stateFromDetails(specs.get('redis-commander')!, undefined);
    expect(commander).toMatchObject({ oneShot: false, essential: false });
  });
});
