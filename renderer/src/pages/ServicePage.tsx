import type { ServiceHealth } from '@contract';
import { formatTime, uptimeOf } from '../components/format';
import { HealthHistory } from '../components/HealthHistory';
import { JobStatus } from '../components/JobStatus';
import { LogsView } from '../components/LogsView';
import { ResourceCharts } from '../components/ResourceCharts';
import { STOPPED, stateView } from '../components/ServiceCard';
import { PortsFact, UptimeFacts } from '../components/ServiceFacts';
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
  const overall = useLiveStore((s) => s.health?.status);
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
  const exitCode = health?.exitCode ?? status?.exitCode ?? null;
  const unknown = overall === 'unknown';
  // A one-shot job (the migrations) runs once and ends: "done", never a service to start or stop.
  const job = health?.oneShot === true ? jobView(health, unknown) : undefined;
  const view = job ?? stateView(state, health, exitCode, overall);
  const stopped = STOPPED.has(state);
  const ports = status?.ports ?? [];
  return (
    <>
      <section className="card" aria-labelledby="svc-title">
        <div className="card-head">
          <h2 id="svc-title">{name}</h2>
          <span className={`badge badge-${view.tone}`} data-field="state">
            {view.label}
          </span>
        </div>
        {job && <p data-field="job-summary">{job.summary}</p>}
        {unknown && (
          <p className="muted" data-field="unknown">
            Its state is not known while Docker cannot be reached.
          </p>
        )}
        <dl className="facts">
          <dt>Image</dt>
          <dd title="The software package this service runs, and its version.">
            <code>{status?.image ?? '—'}</code>
          </dd>
          {!job && (
            <UptimeFacts
              upFor={stopped || unknown ? '—' : uptimeOf(health?.startedAt ?? null)}
              restarts={health?.restarts ?? status?.restarts ?? 0}
            />
          )}
          <dt>Last exit code</dt>
          <dd title="The number it ended with the last time it stopped: 0 means it ended normally.">
            {exitCode ?? '—'}
          </dd>
          {!job && <PortsFact ports={ports} />}
          {!job && (
            <>
              <dt>Last health check</dt>
              <dd title="What the service's own test of whether it works said last.">
                {health?.lastCheck ?? '—'}
              </dd>
            </>
          )}
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
        {!job && (
          <div className="actions" role="group" aria-label={`${name} actions`}>
            <button
              type="button"
              disabled={activeJob !== undefined || unknown || !stopped}
              onClick={() => void runAction('start', [name])}
            >
              Start
            </button>
            <button
              type="button"
              disabled={activeJob !== undefined || unknown || stopped}
              onClick={() => void runAction('stop', [name])}
            >
              Stop
            </button>
            <button
              type="button"
              disabled={activeJob !== undefined || unknown}
              onClick={() => void runAction('restart', [name])}
            >
              Restart
            </button>
          </div>
        )}
        {activeJob && <JobStatus job={activeJob} />}
      </section>
      <section className="card" aria-labelledby="hh-title">
        <h2 id="hh-title">Health history</h2>
        <HealthHistory key={name} service={name} state={job ? view.label : state} />
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

/** A one-shot job's state as a setup step: done, failed, running or not run yet. */
function jobView(
  job: ServiceHealth,
  unknown: boolean,
): { label: string; tone: 'ok' | 'warn' | 'fail' | 'unknown'; summary: string } {
  const what = job.service === 'migrate' ? 'The database update' : job.service;
  if (unknown)
    return {
      label: 'unknown',
      tone: 'unknown',
      summary: 'Not known while Docker cannot be reached.',
    };
  const failed = job.state === 'exited' && (job.exitCode !== 0 || job.oomKilled);
  if (failed) {
    return {
      label: 'failed',
      tone: 'fail',
      summary: `${what} failed (exit code ${job.exitCode ?? '?'}): its log below says why.`,
    };
  }
  if (job.state === 'exited') {
    return {
      label: 'done',
      tone: 'ok',
      summary: `${what} ran once and finished. It is a setup step, not a service: there is nothing to start or stop.`,
    };
  }
  if (['created', 'starting', 'running', 'restarting'].includes(job.state)) {
    return { label: 'running', tone: 'warn', summary: `${what} is running…` };
  }
  return { label: 'not run', tone: 'unknown', summary: `${what} has not run yet.` };
}
