import { describe, expect, it } from 'vitest';
import type { DeepCheckResult, ServiceHealth, StackHealth } from '../../contract/health.js';
import {
  DEEP_CHECKS,
  DeepChecker,
  deepCheckResult,
  type DeepCheckExecResult,
} from './deep-check.js';
import { overallStatus, type ServiceSpec } from './health-model.js';
import { serviceHealth } from './service-health.test-support.js';

const at = new Date('2026-01-01T00:00:00Z');
const spec = (service: string) => {
  const found = DEEP_CHECKS.find((c) => c.service === service);
  if (!found) throw new Error(service);
  return found;
};
const run = (exitCode: number, stdout: string, stderr = ''): DeepCheckExecResult => ({
  exitCode,
  stdout,
  stderr,
});

function service(
  name: string,
  state: ServiceHealth['state'],
  deepCheck?: DeepCheckResult,
): ServiceHealth {
  return serviceHealth(name, { state, ...(deepCheck ? { deepCheck } : {}) });
}

describe('deep check results', () => {
  it('reads pg_isready by its exit code and keeps what it said', () => {
    expect(
      deepCheckResult(spec('postgres'), run(0, '127.0.0.1:5432 - accepting connections\n'), at),
    ).toEqual({
      ok: true,
      output: '127.0.0.1:5432 - accepting connections',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(
      deepCheckResult(spec('postgres'), run(2, '127.0.0.1:5432 - no response\n'), at),
    ).toMatchObject({
      ok: false,
      output: '127.0.0.1:5432 - no response',
    });
  });

  it('wants PONG from redis, not just a zero exit (a wrong password answers NOAUTH)', () => {
    expect(deepCheckResult(spec('redis'), run(0, 'PONG\n'), at).ok).toBe(true);
    const noauth = deepCheckResult(spec('redis'), run(0, 'NOAUTH Authentication required.\n'), at);
    expect(noauth).toMatchObject({ ok: false, output: 'NOAUTH Authentication required.' });
  });

  it('never puts the redis password on a command line', () => {
    const command = spec('redis').command.join(' ');
    expect(command).toContain('/run/secrets/redis_password');
    expect(command).not.toMatch(/-a\s/);
  });

  it("reads the backend's own login to its database and cache, which needs only node", () => {
    expect(spec('backend').command).toEqual(['node', '/opt/medianest/deep-check.cjs']);
    expect(deepCheckResult(spec('backend'), run(0, 'database: ok, cache: ok\n'), at)).toMatchObject(
      {
        ok: true,
        output: 'database: ok, cache: ok',
      },
    );
    const refused =
      'database: error (password authentication failed for user "medianest"), cache: ok';
    expect(deepCheckResult(spec('backend'), run(1, `${refused}\n`), at)).toMatchObject({
      ok: false,
      output: refused,
    });
  });

  it('says why a check could not run, with credentials in URLs hidden and the text bounded', () => {
    const result = deepCheckResult(
      spec('backend'),
      new Error('connect to postgres://medianest:s3cret-pw@postgres:5432 failed'),
      at,
    );
    expect(result.ok).toBe(false);
    expect(result.output).toBe('could not run: connect to postgres://***@postgres:5432 failed');
    expect(deepCheckResult(spec('postgres'), run(1, 'x'.repeat(2000)), at).output).toHaveLength(
      500,
    );
  });
});

describe('a failing deep check in the stack status', () => {
  const specs = new Map<string, ServiceSpec>(
    ['postgres', 'backend'].map((name) => [name, { name, oneShot: false, hasHealthcheck: true }]),
  );
  const failed = { ok: false, output: 'not_ready (database: error)', at: at.toISOString() };

  it('degrades a stack whose containers are all healthy, naming the service and the output', () => {
    const status = overallStatus(
      [service('postgres', 'healthy'), service('backend', 'healthy', failed)],
      specs,
    );
    expect(status).toEqual({
      status: 'degraded',
      reason: 'backend fails its deep check (not_ready (database: error)).',
    });
  });

  it('is healthy again once the check passes', () => {
    const status = overallStatus(
      [service('postgres', 'healthy'), service('backend', 'healthy', { ...failed, ok: true })],
      specs,
    );
    expect(status.status).toBe('healthy');
  });
});

describe('the deep checker', () => {
  function setup(states: Record<string, ServiceHealth['state']>) {
    const calls: string[] = [];
    const reports: Array<[string, DeepCheckResult]> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const health = (): StackHealth => ({
      status: 'healthy',
      reason: '',
      at: at.toISOString(),
      services: Object.entries(states).map(([name, state]) => service(name, state)),
    });
    const checker = new DeepChecker({
      exec: async (name, command) => {
        calls.push(`${name}: ${command[0] ?? ''}`);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (name === 'redis') throw new Error('redis has no running container');
        return run(0, name === 'backend' ? '{"status":"ready"}' : 'accepting connections');
      },
      health,
      report: (name, result) => reports.push([name, result]),
      now: () => at,
    });
    return { checker, calls, reports, maxInFlight: () => maxInFlight };
  }

  it('checks only the services that run, one exec at a time', async () => {
    const { checker, calls, reports, maxInFlight } = setup({
      postgres: 'healthy',
      redis: 'unhealthy',
      backend: 'exited',
      nginx: 'healthy',
    });
    await checker.runOnce();
    expect(calls).toEqual(['postgres: pg_isready', 'redis: sh']);
    expect(maxInFlight()).toBe(1);
    expect(reports.map(([name, r]) => [name, r.ok])).toEqual([
      ['postgres', true],
      ['redis', false],
    ]);
    expect(reports[1]?.[1].output).toBe('could not run: redis has no running container');
  });

  it('never starts a round on top of an unfinished one', async () => {
    const { checker, calls } = setup({ postgres: 'healthy' });
    await Promise.all([checker.runOnce(), checker.runOnce()]);
    expect(calls).toEqual(['postgres: pg_isready']);
  });
});
