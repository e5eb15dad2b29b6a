import { DoctorPanel } from '../components/DoctorPanel';
import { DoorChoice } from '../components/wizard/DoorChoice';
import { InstallDone } from '../components/wizard/InstallDone';
import { InstallProgress } from '../components/wizard/InstallProgress';
import { RestoreDoor } from '../components/wizard/RestoreDoor';
import { WizardForm } from '../components/wizard/WizardForm';
import { useAppStore } from '../state/app-store';
import { typedPort } from '../state/port-checks';
import { useWizardStore } from '../state/wizard-store';
import './first-run.css';

/** `/setup`: is this computer ready, then the wizard (or a restore), then the install, live. */
export function FirstRunPage() {
  const client = useAppStore((s) => s.client);
  const door = useWizardStore((s) => s.door);
  const install = useWizardStore((s) => s.install);
  const values = useWizardStore((s) => s.values);
  const resetInstall = useWizardStore((s) => s.resetInstall);

  if (!client) return <p role="status">Connecting to the server…</p>;
  if (install.phase !== 'idle') {
    return (
      <section className="card" aria-labelledby="install-title">
        <h2 id="install-title">
          {install.phase === 'succeeded' ? 'MediaNest is ready' : 'Installing MediaNest'}
        </h2>
        {install.phase === 'succeeded' ? (
          <InstallDone install={install} values={values} />
        ) : (
          <InstallProgress install={install} />
        )}
        {install.phase === 'failed' && (
          <div className="install-failed" role="alert">
            <p className="error">The install did not finish: {install.error ?? 'unknown reason'}</p>
            <button type="button" onClick={resetInstall}>
              Back to my choices
            </button>
          </div>
        )}
      </section>
    );
  }
  const httpPort = typedPort(values.httpPort);
  const httpsPort = typedPort(values.httpsPort);
  // In the wizard the checks are about the ports being chosen, not the defaults.
  const ports =
    door === 'new'
      ? {
          ...(httpPort !== undefined ? { httpPort } : {}),
          ...(httpsPort !== undefined ? { httpsPort } : {}),
        }
      : undefined;
  return (
    <>
      <DoctorPanel {...(ports ? { ports } : {})} />
      {door === 'choose' && <DoorChoice />}
      {door === 'new' && <WizardForm client={client} />}
      {door === 'restore' && <RestoreDoor client={client} />}
    </>
  );
}
