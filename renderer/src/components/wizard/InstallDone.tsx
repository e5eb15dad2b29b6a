import { useCallback, useState } from 'react';
import type { ServiceStatus } from '@contract';
import type { SettingsFormValues } from '../../state/settings-store-form';
import { useAppStore } from '../../state/app-store';
import type { InstallState } from '../../state/wizard-store';
import { RecoveryKeyPanel } from '../recovery/RecoveryKeyPanel';

/** Where MediaNest answers once installed: its domain, or this computer on the HTTP port. */
export function mediaNestUrl(values: SettingsFormValues, host: string): string {
  if (values.access === 'domain' && values.domain) {
    return values.profiles.includes('tls')
      ? `https://${values.domain}/`
      : `http://${values.domain}:${values.httpPort}/`;
  }
  return values.httpPort === '80' ? `http://${host}/` : `http://${host}:${values.httpPort}/`;
}

const oneOff = (s: ServiceStatus) => s.state === 'exited' && s.exitCode === 0;

/** The clear ending: every service healthy, and the one button that matters. */
export function InstallDone({
  install,
  values,
}: {
  install: InstallState;
  values: SettingsFormValues;
}) {
  const client = useAppStore((s) => s.client);
  // One-off tasks (migrate) exit 0 when done; every other service keeps running.
  const lasting = (install.status ?? []).filter((s) => !oneOff(s));
  const oneOffs = (install.status ?? []).filter(oneOff);
  const running = lasting.filter((s) => s.state === 'running' && s.health !== 'unhealthy');
  // The exits wait for the recovery key: shown first, and saved (or impossible to show).
  const [key, setKey] = useState<string>('loading');
  const onPhase = useCallback((kind: string) => setKey(kind), []);
  const mayLeave = key === 'saved' || key === 'error';
  return (
    <div className="install-done">
      <p className="verdict verdict-ok" role="status">
        MediaNest is installed and running.
      </p>
      {client && <RecoveryKeyPanel client={client} onPhase={onPhase} />}
      {key === 'loading' && <p role="status">Preparing your recovery key…</p>}
      {install.status && (
        <ul className="services-final">
          {install.status.map((s) => (
            <li key={s.service} data-service={s.service}>
              <strong>{s.service}</strong>:{' '}
              {oneOff(s)
                ? 'finished its one-time setup'
                : `${s.state}${s.health !== 'none' ? `, ${s.health}` : ''}`}
            </li>
          ))}
        </ul>
      )}
      <p>
        {running.length} of {lasting.length} services are running
        {oneOffs.length > 0 &&
          ` (and ${oneOffs.map((s) => s.service).join(', ')} finished its one-time setup)`}
        . Health, logs and backups are on the dashboard.
      </p>
      {mayLeave ? (
        <p className="wizard-actions">
          <a
            className="button"
            href={mediaNestUrl(values, window.location.hostname)}
            target="_blank"
            rel="noreferrer"
          >
            Open MediaNest
          </a>
          <a className="button secondary" href="/">
            Go to the dashboard
          </a>
        </p>
      ) : (
        <p className="wizard-actions">
          <button type="button" disabled aria-describedby="exits-wait">
            Open MediaNest
          </button>
          <button type="button" className="secondary" disabled aria-describedby="exits-wait">
            Go to the dashboard
          </button>
          <span id="exits-wait" className="muted">
            Save your recovery key and confirm it above first.
          </span>
        </p>
      )}
    </div>
  );
}
