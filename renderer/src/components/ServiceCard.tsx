import type {
  ResourceSample,
  ServiceHealth,
  ServiceStatus,
  StackAction,
} from '../../../server/src/contract/index.js';
import { Link } from '../router';
import { formatBytes, uptimeOf } from './format';
import { Sparkline } from './Sparkline';

export const STATE_TONE: Record<string, 'ok' | 'warn' | 'fail' | 'unknown'> = {
  healthy: 'ok',
  running: 'ok',
  starting: 'warn',
  created: 'unknown',
  restarting: 'warn',
  unhealthy: 'fail',
  exited: 'fail',
  dead: 'fail',
  missing: 'unknown',
};

const STOPPED = new Set(['exited', 'missing', 'created', 'dead']);

interface Props {
  name: string;
  health: ServiceHealth | undefined;
  status: ServiceStatus | undefined;
  samples: readonly ResourceSample[];
  busy: boolean;
  onAction: (action: StackAction) => void;
}

/** One service at a glance: state, health, uptime, restarts, CPU and memory against the limit, ports. */
export function ServiceCard({ name, health, status, samples, busy, onAction }: Props) {
  const state = health?.state ?? status?.state ?? 'missing';
  const exitCode = health?.exitCode ?? status?.exitCode ?? null;
  // Stopped on purpose (0, or 143 for SIGTERM) or a one-shot job done is grey; killed (137),
  // crashed or out of memory is red.
  const clean = state === 'exited' && !health?.oomKilled && [0, 143].includes(exitCode ?? -1);
  const tone = clean ? 'unknown' : (STATE_TONE[state] ?? 'unknown');
  const last = samples.at(-1);
  const limit = last?.memoryLimitBytes ?? 0;
  const headingId = `svc-${name}`;
  const stopped = STOPPED.has(state);
  return (
    <article className="card service-card" aria-labelledby={headingId} data-service={name}>
      <div className="card-head">
        <h3 id={headingId}>
          <Link href={`/services/${name}`}>{name}</Link>
        </h3>
        <span className={`badge badge-${tone}`} data-field="state">
          {state}
        </span>
      </div>
      <dl className="facts">
        <dt>Health check</dt>
        <dd>{status?.health ?? 'none'}</dd>
        <dt>Up for</dt>
        <dd>{stopped ? '—' : uptimeOf(health?.startedAt ?? null)}</dd>
        <dt>Restarts</dt>
        <dd>{health?.restarts ?? status?.restarts ?? 0}</dd>
        <dt>Ports</dt>
        <dd>{status?.ports.length ? status.ports.join(', ') : 'none published'}</dd>
      </dl>
      {health?.oomKilled && (
        <p className="error">It ran out of memory: raise its memory limit in Settings.</p>
      )}
      <div className="spark-row">
        <div>
          <span className="spark-label">CPU {last ? `${last.cpuPercent.toFixed(1)} %` : '—'}</span>
          <Sparkline
            values={samples.map((s) => s.cpuPercent)}
            max={100}
            label={`${name} CPU, last ${samples.length} readings`}
          />
        </div>
        <div>
          <span className="spark-label">
            Memory {last ? `${formatBytes(last.memoryBytes)} of ${formatBytes(limit)}` : '—'}
          </span>
          <Sparkline
            values={samples.map((s) => s.memoryBytes)}
            max={limit}
            label={`${name} memory against its limit`}
          />
        </div>
      </div>
      <div className="actions" role="group" aria-label={`${name} actions`}>
        <button type="button" disabled={busy || !stopped} onClick={() => onAction('start')}>
          Start
        </button>
        <button type="button" disabled={busy || stopped} onClick={() => onAction('stop')}>
          Stop
        </button>
        <button type="button" disabled={busy} onClick={() => onAction('restart')}>
          Restart
        </button>
      </div>
    </article>
  );
}
