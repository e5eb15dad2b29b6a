import { useEffect } from 'react';
import type { CheckStatus, DoctorCheck } from '@contract';
import { useAppStore } from '../state/app-store';
import { DockerSetup } from './DockerSetup';

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'Warning', fail: 'Problem' };
const RANK: Record<CheckStatus, number> = { fail: 0, warn: 1, ok: 2 };

/** Problems first, then warnings, then what passed; each group in the server's order. */
export function orderedChecks(checks: DoctorCheck[]): DoctorCheck[] {
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => RANK[a.check.status] - RANK[b.check.status] || a.index - b.index)
    .map(({ check }) => check);
}

function CheckRow({ check }: { check: DoctorCheck }) {
  return (
    <li className={`check check-${check.status}`} data-check={check.id}>
      <span className={`badge badge-${check.status}`}>{LABEL[check.status]}</span>
      <div>
        <strong>{check.title}</strong>
        <p>{check.summary}</p>
        {check.fix && <p className="fix">What to do: {check.fix}</p>}
      </div>
    </li>
  );
}

/**
 * Is this computer ready: the doctor's checks, problems first, folded away when all pass. With
 * `ports` it checks the ports the user is choosing rather than the configured ones.
 */
export function DoctorPanel({ ports }: { ports?: { httpPort?: number; httpsPort?: number } }) {
  const doctor = useAppStore((s) => s.doctor);
  const runDoctor = useAppStore((s) => s.runDoctor);
  const httpPort = ports?.httpPort;
  const httpsPort = ports?.httpsPort;

  useEffect(() => {
    void runDoctor({
      ...(httpPort !== undefined ? { httpPort } : {}),
      ...(httpsPort !== undefined ? { httpsPort } : {}),
    });
    // Only on arrival: later port edits re-check through the wizard's own live check.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runDoctor]);

  const again = () =>
    void runDoctor({
      ...(httpPort !== undefined ? { httpPort } : {}),
      ...(httpsPort !== undefined ? { httpsPort } : {}),
    });
  const allPassed = doctor.state === 'done' && doctor.report.checks.every((c) => c.status === 'ok');

  return (
    <section className="card" aria-labelledby="doctor-title" aria-busy={doctor.state === 'running'}>
      <div className="card-head">
        <h2 id="doctor-title">Is this computer ready?</h2>
        <button type="button" onClick={again} disabled={doctor.state === 'running'}>
          {doctor.state === 'running' ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {doctor.state === 'error' && (
        <p className="error" role="alert">
          The check could not run: {doctor.message}
        </p>
      )}
      {doctor.state === 'done' && (
        <>
          <p className={doctor.report.ready ? 'verdict verdict-ok' : 'verdict verdict-fail'}>
            {doctor.report.ready
              ? 'Ready: this computer can run MediaNest.'
              : 'Not ready yet: fix the problems below, then check again.'}
          </p>
          {allPassed ? (
            <details className="checks-passed">
              <summary>All {doctor.report.checks.length} checks passed: show them</summary>
              <ul className="checks">
                {doctor.report.checks.map((check) => (
                  <CheckRow key={check.id} check={check} />
                ))}
              </ul>
            </details>
          ) : (
            <ul className="checks">
              {orderedChecks(doctor.report.checks).map((check) => (
                <CheckRow key={check.id} check={check} />
              ))}
            </ul>
          )}
          {doctor.report.installPlan && <DockerSetup plan={doctor.report.installPlan} />}
        </>
      )}
    </section>
  );
}
