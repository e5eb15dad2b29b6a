import type {
  OverallStatus,
  ResourceSample,
  ServiceHealth,
  ServiceStatus,
  StackAction,
} from '@contract';
import { Link } from '../router';
import { formatBytes } from '@contract';
import { uptimeOf } from './format';
import { PortsFact, UptimeFacts } from './ServiceFacts';
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

export const STOPPED = new Set(['exited', 'missing', 'created', 'dead']);

interface Props {
  name: string;
  health: ServiceHealth | undefined;
  status: ServiceStatus | undefined;
  samples: readonly ResourceSample[];
  busy: boolean;
  /** The stack's overall status: `unknown` when the engine cannot be asked. */
  overall: OverallStatus | undefined;
  /** The services it needs that are down (empty when none). */
  waitsFor: readonly string[];
  onAction: (action: StackAction) => void;
}

/** The word and colour of a service's state, as a user reads them. */
export function stateView(
  state: string,
  health: ServiceHealth | undefined,
  exitCode: number | null,
  overall: OverallStatus | undefined,
): { label: string; tone: 'ok' | 'warn' | 'fail' | 'unknown' } {
  // Without the engine nothing is known: a stale "healthy" or "exited" would mislead.
  if (overall === 'unknown') return { label: 'unknown', tone: 'unknown' };
  // Stopped by a stop (0, or 143 for SIGTERM) is "stopped"; killed (137), crashed or out of
  // memory is "exited", red.
  const clean = state === 'exited' && !health?.oomKilled && [0, 143].includes(exitCode ?? -1);
  if (!clean) return { label: state, tone: STATE_TONE[state] ?? 'unknown' };
  // A stopped service MediaNest needs, while the rest runs, means MediaNest is down: red. Grey
  // when everything was stopped on purpose, or for an extra beside MediaNest.
  const alarming = health?.essential === true && overall !== 'stopped';
  return { label: 'stopped', tone: alarming ? 'fail' : 'unknown' };
}

/** One service at a glance: state, health, uptime, restarts, CPU and memory against the limit, ports. */
export function ServiceCard(props: Props) {
  const { name, health, status, samples, busy, overall, waitsFor, onAction } = props;
  const state = health?.state ?? status?.state ?? 'missing';
  const exitCode = health?.exitCode ?? status?.exitCode ?? null;
  const unknown = overall === 'unknown';
  const { label, tone } = stateView(state, health, exitCode, overall);
  const last = unknown ? undefined : samples.at(-1);
  const limit = last?.memoryLimitBytes ?? 0;
  const headingId = `svc-${name}`;
  const stopped = STOPPED.has(state);
  const affected = !unknown && waitsFor.length > 0;
  return (
    <article className="card service-card" aria-labelledby={headingId} data-service={name}>
      <div className="card-head">
        <h3 id={headingId}>
          <Link href={`/services/${name}`}>{name}</Link>
        </h3>
        <span className="badges">
          {affected && (
            <span className="badge badge-warn" data-field="affected-badge">
              affected
            </span>
          )}
          <span className={`badge badge-${tone}`} data-field="state">
            {label}
          </span>
        </span>
      </div>
      {affected && (
        <p className="error" data-field="affected">
          Cannot work while {joinNames(waitsFor)} {waitsFor.length === 1 ? 'is' : 'are'} down.
        </p>
      )}
      {unknown && (
        <p className="muted" data-field="unknown">
          Its state is not known while Docker cannot be reached.
        </p>
      )}
      <dl className="facts">
        <dt>Health check</dt>
        {/* A stopped container keeps its last check's verdict: stale, so not shown. */}
        <dd title="The service's own test of whether it works, run by Docker every few seconds.">
          {unknown || stopped ? '—' : (status?.health ?? 'none')}
        </dd>
        <UptimeFacts
          upFor={stopped || unknown ? '—' : uptimeOf(health?.startedAt ?? null)}
          restarts={unknown ? '—' : (health?.restarts ?? status?.restarts ?? 0)}
        />
        <PortsFact ports={status?.ports ?? []} unknown={unknown} />
      </dl>
      {/* A finished job's last words: for migrate, the schema's migration level. */}
      {status?.detail && !unknown && (
        <p className="muted" data-field="detail">
          {status.detail}
        </p>
      )}
      {health?.oomKilled && !unknown && (
        <p className="error">It ran out of memory: raise its memory limit in Settings.</p>
      )}
      <div className="spark-row">
        <div>
          <span
            className="spark-label"
            data-field="cpu"
            title={`How busy ${name} keeps this computer's processor. 100 % is one core fully busy; with several cores it can go higher.`}
          >
            CPU {last ? `${last.cpuPercent.toFixed(1)} % of one core` : '—'}
          </span>
          <Sparkline
            values={unknown ? [] : samples.map((s) => s.cpuPercent)}
            max={Math.max(100, ...samples.map((s) => s.cpuPercent))}
            limit={100}
            limitLabel="one core (100 %)"
            label={`${name} CPU as a share of one core, last ${samples.length} readings`}
          />
        </div>
        <div>
          <span
            className="spark-label"
            data-field="memory"
            title={
              limit > 0
                ? `Memory ${name} uses now, and its limit: at the limit Docker stops it.`
                : `Memory ${name} uses now. No limit is set for it.`
            }
          >
            Memory{' '}
            {last
              ? limit > 0
                ? `${formatBytes(last.memoryBytes)} of ${formatBytes(limit)}`
                : formatBytes(last.memoryBytes)
              : '—'}
          </span>
          <Sparkline
            values={unknown ? [] : samples.map((s) => s.memoryBytes)}
            max={limit}
            limitLabel={limit > 0 ? `limit ${formatBytes(limit)}` : undefined}
            label={`${name} memory against its limit`}
          />
        </div>
      </div>
      <div className="actions" role="group" aria-label={`${name} actions`}>
        <button
          type="button"
          disabled={busy || unknown || !stopped}
          onClick={() => onAction('start')}
        >
          Start
        </button>
        <button
          type="button"
          disabled={busy || unknown || stopped}
          onClick={() => onAction('stop')}
        >
          Stop
        </button>
        <button type="button" disabled={busy || unknown} onClick={() => onAction('restart')}>
          Restart
        </button>
      </div>
    </article>
  );
}

/** "redis", "postgres and redis", "a, b and c". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
