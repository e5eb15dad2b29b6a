import type { ApiClient } from '@contract';
import { useAppStore } from '../../state/app-store';
import { useDevicesStore } from '../../state/devices-store';
import { useFields } from '../../state/use-fields';
import { useLoad } from '../../state/use-load';
import { ConfirmInPlace } from '../ui/ConfirmInPlace';

const when = (iso: string | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/**
 * Paired devices (issue 21 §2): a one-time code to pair a desktop with this appliance, the devices
 * paired so far, and revoking one (its token is refused at once, its live updates close).
 */
export function DevicesPanel({ client }: { client: ApiClient }) {
  const network = useAppStore((s) => s.network);
  const { devices, code, error, asking, load, newCode, ask, revoke } = useFields(useDevicesStore, [
    'devices',
    'code',
    'error',
    'asking',
    'load',
    'newCode',
    'ask',
    'revoke',
  ]);
  useLoad(client, load);

  const https = network?.transport === 'https';
  return (
    <section className="card" aria-labelledby="devices-title" data-panel="devices">
      <h2 id="devices-title">Paired devices</h2>
      {https ? (
        <p>
          Pair a desktop with this appliance to manage it from there: make a code, then on the
          desktop choose Add an appliance and type this address and the code. The code works once,
          within 10 minutes, and only if the desktop sees this appliance&rsquo;s certificate.
        </p>
      ) : (
        <p>
          Pairing needs this appliance served over HTTPS on the network:{' '}
          <code>medianest-appliance serve --host 0.0.0.0</code> (without{' '}
          <code>--insecure-plain-http</code>).
        </p>
      )}
      {https && (
        <button type="button" onClick={() => void newCode(client)}>
          Pair a device
        </button>
      )}
      {code && (
        <dl className="review" data-pairing-code>
          <div className="review-row">
            <dt>Pairing code</dt>
            <dd>
              <code className="pairing-code">{code.code}</code> (once, until{' '}
              {new Date(code.expiresAt).toLocaleTimeString(undefined, { timeStyle: 'short' })})
            </dd>
          </div>
          <div className="review-row fingerprint">
            <dt>Certificate (SHA-256)</dt>
            <dd>
              <code>{code.fingerprint}</code>
            </dd>
          </div>
        </dl>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {devices && devices.length === 0 && <p className="muted">No device is paired.</p>}
      {devices && devices.length > 0 && (
        <table className="devices-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Paired</th>
              <th scope="col">Last seen</th>
              <th scope="col">Address</th>
              <th scope="col">Access</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id} data-device={d.name}>
                <td>{d.name}</td>
                <td>{when(d.pairedAt)}</td>
                <td>{when(d.lastSeenAt)}</td>
                <td>{d.lastAddress ?? '—'}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => ask(d)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {asking && (
        <ConfirmInPlace
          id="revoke-device"
          title={`Revoke ${asking.name}?`}
          yes="Revoke"
          onYes={() => void revoke(client, asking.id)}
          onCancel={() => ask(undefined)}
        >
          <p>
            Its token is refused at once and its live updates close; it must pair again with a new
            code to manage this appliance.
          </p>
        </ConfirmInPlace>
      )}
    </section>
  );
}
