import { formatTime, uptimeOf } from '../components/format';
import { HealthHistory } from '../components/HealthHistory';
import { JobStatus } from '../components/JobStatus';
import { LogsView } from '../components/LogsView';
import { ResourceCharts } from '../components/ResourceCharts';
import { STATE_TONE } from '../components/ServiceCard';
import { Link } from '../router';
import { useLiveStore } from '../state/live-store';

/** One service: details, health history, resources, recent alerts, and its own log. */
export function ServicePage({ name }: { name: string }) {
  const health = useLiveStore((s) => s.health?.services.find((x) => x.service === name));
  const status = useLiveStore((s) => s.status?.find((x) => x.service === name));
  const alerts = useLiveStore((s) => s.alertHistory);
  const activeJob = useLiveStore((s) => (s.activeJobId ? s.jobs[s.activeJobId] : undefined));
  const runAction = useLiveStore((s) => s.runAction);
  const loaded = useLiveStore((s) => s.status !== undefined);
  const mine = alerts
    .filter((a) => a.page === `/services/${name}`)
    .slice(-10)
    .reverse();

  if (loaded && !health && !status) {
    return (
      <section className="card" aria-labelledby="svc-title">
        <h2 id="svc-title">No service named “{name}”</h2>
        <p>
          <Link href="/">Back to the dashboard</Link>
        </p>
      </section>
    );
  }
  const state = health?.state ?? status?.state ?? 'missing';
  return (
    <>
      <section className="card" aria-labelledby="svc-title">
        <div className="card-head">
          <h2 id="svc-title">{name}</h2>
          <span className={`badge badge-${STATE_TONE[state] ?? 'unknown'}`} data-field="state">
            {state}
          </span>
        </div>
        <dl className="facts">
          <dt>Image</dt>
          <dd>
            <code>{status?.image ?? '—'}</code>
          </dd>
          <dt>Up for</dt>
          <dd>{uptimeOf(health?.startedAt ?? null)}</dd>
          <dt>Restarts</dt>
          <dd>{health?.restarts ?? status?.restarts ?? 0}</dd>
          <dt>Last exit code</dt>
          <dd>{health?.exitCode ?? status?.exitCode ?? '—'}</dd>
          <dt>Ports</dt>
          <dd>{status?.ports.join(', ') || 'none published'}</dd>
          <dt>Last health check</dt>
          <dd>{health?.lastCheck ?? '—'}</dd>
          {health?.deepCheck && (
            <>
              <dt>Deep check</dt>
              <dd>
                {health.deepCheck.ok ? 'passed' : 'FAILED'} at {formatTime(health.deepCheck.at)}:{' '}
                {health.deepCheck.output}
              </dd>
            </>
          )}
        </dl>
        <div className="actions" role="group" aria-label={`${name} actions`}>
          {(['start', 'stop', 'restart'] as const).map((action) => (
            <button
              key={action}
              type="button"
              disabled={activeJob !== undefined}
              onClick={() => void runAction(action, [name])}
            >
              {action[0]?.toUpperCase() + action.slice(1)}
            </button>
          ))}
        </div>
        {activeJob && <JobStatus job={activeJob} />}
      </section>
      <section className="card" aria-labelledby="hh-title">
        <h2 id="hh-title">Health history</h2>
        <HealthHistory key={name} service={name} state={state} />
        <h3>Recent alerts</h3>
        {mine.length ? (
          <ul>
            {mine.map((a) => (
              <li key={a.id}>
                {formatTime(a.firedAt)}: <strong>{a.title}</strong> ({a.state}) {a.message}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None.</p>
        )}
      </section>
      <ResourceCharts service={name} />
      <section className="card" aria-labelledby="svc-logs-title">
        <h2 id="svc-logs-title">Logs of {name}</h2>
        <LogsView services={[name]} tail={500} />
      </section>
    </>
  );
}
