import type { ApiClient } from '@contract';
import { useSettingsStore } from '../../state/settings-store';
import { useLoad } from '../../state/use-load';
import { useFields } from '../../state/use-fields';
import { JobStatus } from '../JobStatus';
import { notRotatedBecause, secretAbout, secretLabel } from './secret-words';
import { TableHead } from '../ui/TableHead';

function age(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(seconds / 3600);
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.floor(seconds / 60))} min`;
}

/** The stack's secrets by name and age (never a value), each rotatable after a confirmation. */
export function SecretsPanel({ client }: { client: ApiClient }) {
  const {
    secrets,
    confirmRotate: confirm,
    graceDays,
    rotation,
    loadSecrets,
    askRotate,
    setGraceDays,
    rotate,
  } = useFields(useSettingsStore, [
    'secrets',
    'confirmRotate',
    'graceDays',
    'rotation',
    'loadSecrets',
    'askRotate',
    'setGraceDays',
    'rotate',
  ]);

  useLoad(client, loadSecrets);

  return (
    <section className="card" aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <p className="muted">
        Passwords and keys the services use. Their values never leave this computer; rotating one
        makes a new value and restarts the services that use it.
      </p>
      {secrets.state === 'error' && (
        <p className="error" role="alert">
          The secrets could not be listed: {secrets.error}
          {secrets.retrying ? ' Trying again by itself…' : ''}
        </p>
      )}
      {secrets.state === 'ready' && secrets.list.length === 0 && (
        <p>No secrets yet: they are made at install.</p>
      )}
      {secrets.list.length > 0 && (
        <table className="secrets">
          <TableHead columns={['Name', 'Age', 'Used by']} actions />
          <tbody>
            {secrets.list.map((secret) => (
              <tr key={secret.name} data-secret={secret.name}>
                <th scope="row">
                  {secretLabel(secret.name)}
                  {/* The catalogue's description is written for the command line (env names). */}
                  {secretAbout(secret.name) && (
                    <div className="muted">{secretAbout(secret.name)}</div>
                  )}
                </th>
                <td>{age(secret.ageSeconds)}</td>
                <td>{secret.consumers.join(', ') || '—'}</td>
                <td>
                  {secret.rotatable ? (
                    <button
                      type="button"
                      className="secondary"
                      disabled={rotation.phase === 'running'}
                      onClick={() => askRotate(secret.name)}
                    >
                      Rotate<span className="visually-hidden"> {secretLabel(secret.name)}</span>
                    </button>
                  ) : (
                    <span className="muted">
                      {notRotatedBecause(secret.name, secret.notRotatableBecause)}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirm && (
        <div className="confirm" role="alertdialog" aria-labelledby="rotate-confirm-title">
          <p id="rotate-confirm-title">
            <strong>Rotate “{secretLabel(confirm)}”?</strong> A new value is made and the services
            that use it restart, a short interruption.
            {confirm === 'jwt_secret' && ' Signed-in users stay signed in during the grace period.'}
          </p>
          {confirm === 'jwt_secret' && (
            <div className="field">
              <label htmlFor="grace-days">
                Days the old value stays valid (0 signs everyone out)
              </label>
              <input
                id="grace-days"
                inputMode="numeric"
                value={graceDays}
                onChange={(e) => setGraceDays(e.target.value)}
              />
            </div>
          )}
          <div className="wizard-actions">
            <button type="button" onClick={() => void rotate(client)}>
              Yes, rotate “{secretLabel(confirm)}”
            </button>
            <button type="button" className="secondary" onClick={() => askRotate(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <JobStatus
        run={rotation}
        success={`${rotation.name ? secretLabel(rotation.name) : 'The secret'}: a new value is in place; its services are back up.`}
      />
    </section>
  );
}
