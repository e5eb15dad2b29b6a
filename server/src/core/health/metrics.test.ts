import { describe, expect, it } from 'vitest';
import type { StackHealth } from '../../contract/health.js';
import { metricsExtras, prometheusText } from './metrics.js';
import { serviceHealth } from './service-health.test-support.js';

const health: StackHealth = {
  status: 'degraded',
  reason: 'redis exited with code 137.',
  at: '2026-01-01T00:00:00Z',
  services: [
    serviceHealth('postgres'),
    serviceHealth('redis', { state: 'exited', restarts: 3, exitCode: 137, oomKilled: true }),
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

/** A tiny exposition parser: every sample's family was declared (once) before it; values are numbers. */
function parseExposition(text: string): Map<string, number> {
  const declared = new Set<string>();
  const values = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter)$/.exec(line);
    if (type?.[1]) {
      expect(declared.has(type[1])).toBe(false);
      declared.add(type[1]);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    expect(line).toMatch(SAMPLE);
    const [series = '', value = ''] = line.split(/ (?=[^ ]+$)/);
    const name = series.replace(/\{.*$/, '');
    expect(declared.has(name)).toBe(true);
    expect(values.has(series)).toBe(false);
    values.set(series, Number(value));
  }
  return values;
}

describe('the metrics with resources, alerts and backup age', () => {
  const text = prometheusText(health, jobs, {
    resources: [
      {
        service: 'postgres',
        at: '2026-01-01T00:00:00Z',
        cpuPercent: 12.5,
        memoryBytes: 104_857_600,
        memoryLimitBytes: 1_073_741_824,
        networkRxBytes: 2048,
        networkTxBytes: 1024,
        blockReadBytes: 4096,
        blockWriteBytes: 8192,
      },
    ],
    alerts: [{ name: 'service-unhealthy:redis', state: 'firing', severity: 'critical' }],
    backupAgeSeconds: 7200,
  });
  const values = parseExposition(text);

  it('parse as Prometheus text, old families included', () => {
    expect(values.get('medianest_appliance_stack_status{status="degraded"}')).toBe(1);
    expect(values.get('medianest_appliance_service_restarts{service="redis"}')).toBe(3);
  });

  it('give CPU, memory and I/O per running service', () => {
    expect(values.get('medianest_appliance_service_cpu_percent{service="postgres"}')).toBe(12.5);
    expect(values.get('medianest_appliance_service_memory_bytes{service="postgres"}')).toBe(
      104_857_600,
    );
    expect(values.get('medianest_appliance_service_memory_limit_bytes{service="postgres"}')).toBe(
      1_073_741_824,
    );
    expect(
      values.get('medianest_appliance_service_network_receive_bytes_total{service="postgres"}'),
    ).toBe(2048);
    expect(
      values.get('medianest_appliance_service_block_write_bytes_total{service="postgres"}'),
    ).toBe(8192);
  });

  it('give each alert one state set to 1, and the backup age', () => {
    const alert = (state: string): number | undefined =>
      values.get(
        `medianest_appliance_alert_state{alert="service-unhealthy:redis",severity="critical",state="${state}"}`,
      );
    expect([alert('firing'), alert('acknowledged'), alert('resolved')]).toEqual([1, 0, 0]);
    expect(values.get('medianest_appliance_backup_age_seconds')).toBe(7200);
  });

  it('leave out what they were not given', () => {
    expect(prometheusText(health, jobs)).not.toContain('cpu_percent');
    expect(prometheusText(health, jobs, { backupAgeSeconds: null })).not.toMatch(
      /^medianest_appliance_backup_age_seconds /m,
    );
  });
});

describe('the metrics extras from their sources', () => {
  it('names alerts by rule and subject, and counts the backup age in whole seconds', () => {
    const extras = metricsExtras({
      resources: [],
      firing: [
        { rule: 'disk-low', subject: 'data', severity: 'warning', acknowledgedAt: null },
        {
          rule: 'service-down',
          subject: 'redis',
          severity: 'critical',
          acknowledgedAt: '2026-01-01T00:00:00Z',
        },
      ],
      lastBackupAt: new Date('2026-01-01T00:00:00.000Z'),
      now: new Date('2026-01-01T01:00:00.400Z'),
    });
    expect(extras.alerts).toEqual([
      { name: 'disk-low:data', state: 'firing', severity: 'warning' },
      { name: 'service-down:redis', state: 'acknowledged', severity: 'critical' },
    ]);
    expect(extras.backupAgeSeconds).toBe(3600);
  });

  it('says null for the backup age when there has been no backup', () => {
    const extras = metricsExtras({
      resources: [],
      firing: [],
      lastBackupAt: undefined,
      now: new Date(),
    });
    expect(extras.backupAgeSeconds).toBeNull();
  });
});
