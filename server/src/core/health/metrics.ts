import type { StackHealth } from '../../contract/health.js';
import type { ResourceSample } from '../../contract/resources-routes.js';
import type { Job } from '../../contract/stack-routes.js';

/** An alert as the metrics show it (fed by the alerts area). */
export interface AlertMetric {
  name: string;
  state: 'firing' | 'acknowledged' | 'resolved';
  severity: string;
}

/** Optional inputs beyond health and jobs; a family whose input is absent is left out. */
export interface MetricsExtras {
  /** The latest reading of each running service. */
  resources?: readonly ResourceSample[];
  alerts?: readonly AlertMetric[];
  /** Seconds since the last successful backup; null when there has been none. */
  backupAgeSeconds?: number | null;
}

/** The extras from their sources: firing alerts by rule and subject, the backup's age in seconds. */
export function metricsExtras(inputs: {
  resources: readonly ResourceSample[];
  firing: ReadonlyArray<{
    rule: string;
    subject: string;
    severity: string;
    acknowledgedAt: string | null;
  }>;
  lastBackupAt: Date | undefined;
  now: Date;
}): MetricsExtras {
  const { lastBackupAt, now } = inputs;
  return {
    resources: inputs.resources,
    alerts: inputs.firing.map((a) => ({
      name: `${a.rule}:${a.subject}`,
      state: a.acknowledgedAt ? ('acknowledged' as const) : ('firing' as const),
      severity: a.severity,
    })),
    backupAgeSeconds: lastBackupAt
      ? Math.max(0, Math.round((now.getTime() - lastBackupAt.getTime()) / 1000))
      : null,
  };
}

/** One sample of the exposition: labels are escaped as the Prometheus text format requires. */
function sample(name: string, labels: Record<string, string>, value: number): string {
  const escape = (v: string): string =>
    v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${Number.isFinite(value) ? value : 0}`;
}

function family(
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  samples: string[],
): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples];
}

const STATUSES: StackHealth['status'][] = ['healthy', 'degraded', 'down', 'stopped', 'unknown'];

/**
 * The manager's own metrics in the Prometheus text format (version 0.0.4): service up and health,
 * restarts, the overall status, and jobs with their durations.
 */
export function prometheusText(
  health: StackHealth,
  jobs: Job[],
  extras: MetricsExtras = {},
): string {
  const lines: string[] = [];
  const p = 'medianest_appliance';
  lines.push(
    ...family(
      `${p}_stack_status`,
      'gauge',
      'The stack overall status (1 for the current one).',
      STATUSES.map((s) => sample(`${p}_stack_status`, { status: s }, s === health.status ? 1 : 0)),
    ),
    ...family(
      `${p}_service_up`,
      'gauge',
      'Whether the service container is running.',
      health.services.map((s) =>
        sample(
          `${p}_service_up`,
          { service: s.service },
          ['running', 'healthy', 'starting', 'unhealthy'].includes(s.state) ? 1 : 0,
        ),
      ),
    ),
    ...family(
      `${p}_service_healthy`,
      'gauge',
      'Whether the service reports healthy.',
      health.services.map((s) =>
        sample(`${p}_service_healthy`, { service: s.service }, s.state === 'healthy' ? 1 : 0),
      ),
    ),
    ...family(
      `${p}_service_restarts`,
      'gauge',
      'Restarts of the service container by the engine.',
      health.services.map((s) =>
        sample(`${p}_service_restarts`, { service: s.service }, s.restarts),
      ),
    ),
    ...family(
      `${p}_service_oom_killed`,
      'gauge',
      'Whether the service last ended out of memory.',
      health.services.map((s) =>
        sample(`${p}_service_oom_killed`, { service: s.service }, s.oomKilled ? 1 : 0),
      ),
    ),
  );
  const counts = new Map<string, number>();
  const durations = new Map<string, number>();
  for (const job of jobs) {
    const key = `${job.kind}\u0000${job.state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (job.finishedAt && !durations.has(job.kind)) {
      durations.set(job.kind, (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000);
    }
  }
  lines.push(
    ...family(
      `${p}_jobs`,
      'gauge',
      'Jobs in the recent history, by kind and final state.',
      [...counts].map(([key, n]) => {
        const [kind = '', state = ''] = key.split('\u0000');
        return sample(`${p}_jobs`, { kind, state }, n);
      }),
    ),
    ...family(
      `${p}_job_last_duration_seconds`,
      'gauge',
      'How long the last finished job of each kind took.',
      [...durations].map(([kind, seconds]) =>
        sample(`${p}_job_last_duration_seconds`, { kind }, seconds),
      ),
    ),
  );
  lines.push(...resourceFamilies(p, extras.resources), ...alertFamilies(p, extras));
  return `${lines.join('\n')}\n`;
}

const RESOURCE_FAMILIES: ReadonlyArray<
  [string, 'gauge' | 'counter', string, (s: ResourceSample) => number]
> = [
  [
    'cpu_percent',
    'gauge',
    'CPU use in % of one core (as docker stats shows it).',
    (s) => s.cpuPercent,
  ],
  ['memory_bytes', 'gauge', 'Memory in use without the page cache.', (s) => s.memoryBytes],
  ['memory_limit_bytes', 'gauge', 'The memory limit of the container.', (s) => s.memoryLimitBytes],
  [
    'network_receive_bytes_total',
    'counter',
    'Bytes received since the container started.',
    (s) => s.networkRxBytes,
  ],
  [
    'network_transmit_bytes_total',
    'counter',
    'Bytes sent since the container started.',
    (s) => s.networkTxBytes,
  ],
  [
    'block_read_bytes_total',
    'counter',
    'Bytes read from block devices since the container started.',
    (s) => s.blockReadBytes,
  ],
  [
    'block_write_bytes_total',
    'counter',
    'Bytes written to block devices since the container started.',
    (s) => s.blockWriteBytes,
  ],
];

function resourceFamilies(p: string, resources: readonly ResourceSample[] | undefined): string[] {
  if (!resources) return [];
  return RESOURCE_FAMILIES.flatMap(([suffix, type, help, value]) =>
    family(
      `${p}_service_${suffix}`,
      type,
      help,
      resources.map((r) => sample(`${p}_service_${suffix}`, { service: r.service }, value(r))),
    ),
  );
}

const ALERT_STATES: AlertMetric['state'][] = ['firing', 'acknowledged', 'resolved'];

function alertFamilies(p: string, extras: MetricsExtras): string[] {
  const lines: string[] = [];
  if (extras.alerts) {
    lines.push(
      ...family(
        `${p}_alert_state`,
        'gauge',
        'Each alert by state (1 for its current one).',
        extras.alerts.flatMap((a) =>
          ALERT_STATES.map((state) =>
            sample(
              `${p}_alert_state`,
              { alert: a.name, severity: a.severity, state },
              a.state === state ? 1 : 0,
            ),
          ),
        ),
      ),
    );
  }
  if (extras.backupAgeSeconds !== undefined) {
    lines.push(
      ...family(
        `${p}_backup_age_seconds`,
        'gauge',
        'Seconds since the last successful backup (absent when there has been none).',
        extras.backupAgeSeconds === null
          ? []
          : [sample(`${p}_backup_age_seconds`, {}, extras.backupAgeSeconds)],
      ),
    );
  }
  return lines;
}
