import { describe, expect, it } from 'vitest';
import type { StackHealth } from '../../contract/health.js';
import { prometheusText } from './metrics.js';

const health: StackHealth = {
  status: 'degraded',
  reason: 'redis exited with code 137.',
  at: '2026-01-01T00:00:00Z',
  services: [
    {
      service: 'postgres',
      state: 'healthy',
      lastCheck: null,
      restarts: 0,
      startedAt: null,
      exitCode: null,
      oomKilled: false,
    },
    {
      service: 'redis',
      state: 'exited',
      lastCheck: null,
      restarts: 3,
      startedAt: null,
      exitCode: 137,
      oomKilled: true,
    },
  ],
};
const jobs = [
  {
    id: 'b',
    kind: 'up',
    state: 'failed' as const,
    step: null,
    percent: null,
    startedAt: '2026-01-01T00:01:00Z',
    finishedAt: '2026-01-01T00:01:30Z',
    error: null,
  },
  {
    id: 'a',
    kind: 'up',
    state: 'succeeded' as const,
    step: null,
    percent: null,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:40Z',
    error: null,
  },
];

/** Every line is a comment (# HELP / # TYPE) or `name{labels} number`, as Prometheus parses it. */
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?\d+(\.\d+)?(e[+-]?\d+)?$/;

describe('the manager metrics', () => {
  const text = prometheusText(health, jobs);
  const lines = text.trimEnd().split('\n');

  it('parse as Prometheus text', () => {
    for (const line of lines) {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line).toMatch(SAMPLE);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('say what a user would look for', () => {
    expect(lines).toContain('medianest_appliance_stack_status{status="degraded"} 1');
    expect(lines).toContain('medianest_appliance_stack_status{status="healthy"} 0');
    expect(lines).toContain('medianest_appliance_service_healthy{service="postgres"} 1');
    expect(lines).toContain('medianest_appliance_service_up{service="redis"} 0');
    expect(lines).toContain('medianest_appliance_service_restarts{service="redis"} 3');
    expect(lines).toContain('medianest_appliance_service_oom_killed{service="redis"} 1');
    expect(lines).toContain('medianest_appliance_jobs{kind="up",state="failed"} 1');
    // The newest finished job of a kind (the history lists newest first).
    expect(lines).toContain('medianest_appliance_job_last_duration_seconds{kind="up"} 30');
  });
});
