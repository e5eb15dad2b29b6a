import { useState } from 'react';
import type { StackAction } from '@contract';
import { AlertList } from '../components/AlertList';
import { BackupCard } from '../components/BackupCard';
import { BackUpNowButton, BackUpNowStatus } from '../components/dashboard/BackUpNow';
import { OpenMediaNest } from '../components/dashboard/OpenMediaNest';
import { StopAllConfirm } from '../components/dashboard/StopAllConfirm';
import { DiskCard } from '../components/DiskCard';
import { JobStatus } from '../components/JobStatus';
import { ServiceCard } from '../components/ServiceCard';
import { SetupSteps } from '../components/SetupSteps';
import { UpdatesCard } from '../components/updates/UpdatesCard';
import { useLiveStore } from '../state/live-store';
import { useFields } from '../state/use-fields';

const OVERALL_TONE = {
  healthy: 'ok',
  degraded: 'warn',
  down: 'fail',
  stopped: 'unknown',
  unknown: 'fail',
} as const;

/** The stack at a glance: overall status, a card per service, alerts, backups and disk. */
export function DashboardPage() {
  const { health, status, samples, jobs, activeJobId, actionError, firing, runAction } = useFields(
    useLiveStore,
    ['health', 'status', 'samples', 'jobs', 'activeJobId', 'actionError', 'firing', 'runAction'],
  );

  // One-shot jobs (migrate) are setup steps, not services: nothing to start or stop.
  const jobsOnce = (health?.services ?? []).filter((s) => s.oneShot === true);
  const isJob = (name: string): boolean => jobsOnce.some((j) => j.service === name);
  const names = [
    ...new Set([
      ...(status ?? []).map((s) => s.service),
      ...(health?.services ?? []).map((s) => s.service),
    ]),
  ]
    .filter((name) => !isJob(name))
    .sort();
  const busy = activeJobId !== undefined;
  // Without the engine no action can work: disabled rather than answered with an error.
  const engineDown = health?.status === 'unknown';
  // The job running now, else the last one seen: how it ended stays in place until the next. An
  // update is followed by the Updates card, step by step, so it is not shown twice.
  const lastJob = activeJobId ? jobs[activeJobId] : Object.values(jobs).at(-1);
  const jobLine = lastJob?.kind === 'update' ? undefined : lastJob;
  const act = (action: StackAction, services: string[]) => void runAction(action, services);
  const [confirmStop, setConfirmStop] = useState(false);
  // Jobs that ended: one may have moved the port or the domain, so the address is read again.
  const ended = Object.values(jobs).filter((j) => j.outcome !== 'running').length;

  return (
    <>
      <section className="card" aria-labelledby="overall-title">
        <div className="card-head">
          <h2 id="overall-title">MediaNest</h2>
          <span
            className={`badge badge-${health ? OVERALL_TONE[health.status] : 'unknown'}`}
            data-field="overall"
          >
            {health?.status ?? 'loading'}
          </span>
        </div>
        <p data-field="reason">{health?.reason ?? 'Reading the stack’s state…'}</p>
        <OpenMediaNest version={String(ended)} />
        <div className="actions" role="group" aria-label="Whole stack">
          <button type="button" disabled={busy || engineDown} onClick={() => act('start', [])}>
            Start all
          </button>
          <button type="button" disabled={busy || engineDown} onClick={() => setConfirmStop(true)}>
            Stop all
          </button>
          <button type="button" disabled={busy || engineDown} onClick={() => act('restart', [])}>
            Restart all
          </button>
          <BackUpNowButton disabled={busy || engineDown} />
        </div>
        {confirmStop && (
          <StopAllConfirm
            services={names}
            onCancel={() => setConfirmStop(false)}
            onStop={() => {
              setConfirmStop(false);
              act('stop', []);
            }}
          />
        )}
        <BackUpNowStatus />
        {actionError && (
          <p className="error" role="alert">
            {actionError}
          </p>
        )}
        {jobLine && <JobStatus job={jobLine} />}
      </section>

      <section aria-labelledby="services-title">
        <h2 id="services-title" className="section-title">
          Services
        </h2>
        {names.length === 0 ? (
          <p className="card">No services yet: the stack is not installed or not created.</p>
        ) : (
          <div className="grid">
            {names.map((name) => (
              <ServiceCard
                key={name}
                name={name}
                health={health?.services.find((s) => s.service === name)}
                status={status?.find((s) => s.service === name)}
                samples={samples[name] ?? []}
                busy={busy}
                overall={health?.status}
                waitsFor={health?.affected?.[name] ?? []}
                onAction={(action) => act(action, [name])}
              />
            ))}
          </div>
        )}
      </section>

      <SetupSteps jobs={jobsOnce} engineDown={engineDown} />

      <UpdatesCard />

      <div className="grid">
        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Active alerts</h2>
          <AlertList
            alerts={firing}
            empty={
              health?.status === 'healthy' ? 'No alerts: all is well.' : 'No alerts at the moment.'
            }
          />
        </section>
        <BackupCard />
        <DiskCard />
      </div>
    </>
  );
}
