import type { StackHealth } from '../../contract/health.js';
import type { Job } from '../../contract/stack-routes.js';

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
export function prometheusText(health: StackHealth, jobs: Job[]): string {
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
  return `${lines.join('\n')}\n`;
}
