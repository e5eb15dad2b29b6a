import { useEffect } from 'react';
import type { CheckStatus } from '../../../server/src/contract/index.js';
import { useAppStore } from '../state/app-store';
import { DockerSetup } from './DockerSetup';

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'Warning', fail: 'Problem' };

export function DoctorPanel() {
  const doctor = useAppStore((s) => s.doctor);
  const runDoctor = useAppStore((s) => s.runDoctor);

  useEffect(() => {
    void runDoctor();
  }, [runDoctor]);

  return (
    <section className="card" aria-labelledby="doctor-title" aria-busy={doctor.state === 'running'}>
      <div className="card-head">
        <h2 id="doctor-title">Is this computer ready?</h2>
        <button
          type="button"
          onClick={() => void runDoctor()}
          disabled={doctor.state === 'running'}
        >
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
          <ul className="checks">
            {doctor.report.checks.map((check) => (
              <li key={check.id} className={`check check-${check.status}`} data-check={check.id}>
                <span className={`badge badge-${check.status}`}>{LABEL[check.status]}</span>
                <div>
                  <strong>{check.title}</strong>
                  <p>{check.summary}</p>
                  {check.fix && <p className="fix">What to do: {check.fix}</p>}
                </div>
              </li>
            ))}
          </ul>
          {doctor.report.installPlan && <DockerSetup plan={doctor.report.installPlan} />}
        </>
      )}
    </section>
  );
}
