import { useEffect, useState } from 'react';
import type { NearbyAppliance } from '@contract';
import { useAppliancesStore, type NewAppliance } from '../../state/appliances-store';
import { errorFor } from '../../state/settings-store-form';
import { useFields } from '../../state/use-fields';
import { currentAppliance, switchAppliance } from '../../target';
import { InputField } from '../ui/InputField';
import { ConfirmInPlace } from '../ui/ConfirmInPlace';

const EMPTY: NewAppliance = { address: '', code: '', name: '' };

const STATE_WORD = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  down: 'Down',
  unknown: 'Unknown',
} as const;

/**
 * The appliances this computer manages (issue 21 §2-3): add one with the code it shows (the
 * certificate this computer sees is the one pinned), open one, and forget one (revoking this
 * computer there). Always about this computer, whichever appliance the page manages.
 */
export function AppliancesPanel() {
  const { appliances, error, fieldErrors, adding, asking, load, add, ask, remove } = useFields(
    useAppliancesStore,
    ['appliances', 'error', 'fieldErrors', 'adding', 'asking', 'load', 'add', 'ask', 'remove'],
  );
  const { nearby, looking, lookNearby } = useFields(useAppliancesStore, [
    'nearby',
    'looking',
    'lookNearby',
  ]);
  const [form, setForm] = useState<NewAppliance>(EMPTY);
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => void load(), [load]);
  const set = (field: keyof NewAppliance) => (value: string) =>
    setForm((f) => ({ ...f, [field]: value }));

  const submit = async () => {
    setNotice(undefined);
    const added = await add(form);
    if (added) {
      setForm(EMPTY);
      setNotice(
        `${added.name} is paired. Its certificate, ${added.fingerprint}, is pinned: this computer refuses any other.`,
      );
    }
  };

  return (
    <section className="card" aria-labelledby="appliances-title" data-panel="appliances">
      <h2 id="appliances-title">Appliances this computer manages</h2>
      {appliances && appliances.length > 0 && (
        <table className="devices-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">State</th>
              <th scope="col">Certificate (SHA-256)</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {appliances.map((a) => (
              <tr key={a.id} data-appliance={a.name}>
                <td>{a.name}</td>
                <td>{a.address}</td>
                <td>
                  <span className={`state-dot state-${a.state}`} aria-hidden="true" />{' '}
                  {a.state === 'unknown' && a.problem ? 'Not reachable' : STATE_WORD[a.state]}
                  {a.problem && <span className="muted"> ({a.problem})</span>}
                </td>
                <td>
                  <code className="fingerprint">{a.fingerprint}</code>
                </td>
                <td>
                  {currentAppliance() !== a.id && (
                    <button type="button" onClick={() => switchAppliance(a.id)}>
                      Open
                    </button>
                  )}{' '}
                  <button type="button" className="secondary" onClick={() => ask(a)}>
                    Forget
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {asking && (
        <ConfirmInPlace
          id="forget-appliance"
          title={`Forget ${asking.name}?`}
          yes="Forget"
          onYes={() =>
            void remove(asking.id).then((removed) => {
              if (!removed) return;
              setNotice(
                removed.revoked
                  ? `${asking.name} is forgotten, and this computer is revoked there.`
                  : `${asking.name} is forgotten here, but could not be reached: revoke this computer in its Settings, Paired devices.`,
              );
              if (currentAppliance() === asking.id) switchAppliance(undefined);
            })
          }
          onCancel={() => ask(undefined)}
        >
          <p>This computer stops managing it and asks it to revoke this computer&rsquo;s token.</p>
        </ConfirmInPlace>
      )}
      <form
        className="add-appliance"
        aria-labelledby="add-appliance-title"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h3 id="add-appliance-title">Add an appliance</h3>
        <p>
          On the appliance, open Settings, Paired devices, and choose Pair a device (or run{' '}
          <code>medianest-appliance pair</code> there). Type its address and the code it shows.
        </p>
        <button
          type="button"
          className="secondary"
          disabled={looking}
          onClick={() => void lookNearby()}
        >
          {looking ? 'Looking…' : 'Look on this network'}
        </button>
        {nearby && (
          <NearbyList nearby={nearby} onUse={(address) => setForm((f) => ({ ...f, address }))} />
        )}
        <InputField
          id="appliance-address"
          label="Address"
          hint="As the appliance shows it, e.g. https://nas.local:7420"
          value={form.address}
          onValue={set('address')}
          error={errorFor(fieldErrors, 'address')}
          autoComplete="off"
        />
        <InputField
          id="appliance-code"
          label="Pairing code"
          hint="10 letters and digits, e.g. ABCDE-FGHJK"
          value={form.code}
          onValue={set('code')}
          error={errorFor(fieldErrors, 'code')}
          autoComplete="off"
          spellCheck={false}
        />
        <InputField
          id="appliance-name"
          label="Name (optional)"
          hint="How it is shown here; its host name when empty"
          value={form.name}
          onValue={set('name')}
          error={errorFor(fieldErrors, 'name')}
        />
        <button type="submit" disabled={adding}>
          {adding ? 'Pairing…' : 'Add the appliance'}
        </button>
      </form>
      {notice && (
        <p role="status" data-notice="appliances">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** Appliances heard on the LAN: each one's address can be used in the form. */
function NearbyList({
  nearby,
  onUse,
}: {
  nearby: { found: NearbyAppliance[]; interfaces: number; disabled?: boolean };
  onUse: (address: string) => void;
}) {
  if (nearby.found.length === 0) {
    return (
      <p className="muted" role="status" data-nearby="none">
        {nearby.disabled
          ? 'Looking on the network is turned off on this computer (MEDIANEST_MDNS=off): type the appliance’s address.'
          : nearby.interfaces === 0
            ? 'This computer has no network that can carry the question (multicast): type the appliance’s address.'
            : 'No appliance answered: it may be on another network, or multicast is blocked there. Type its address.'}
      </p>
    );
  }
  return (
    <ul className="nearby" aria-label="Appliances on this network" role="status">
      {nearby.found.map((n) => (
        <li key={n.address} data-nearby={n.name}>
          <strong>{n.name}</strong> at {n.address}
          {n.fingerprintPrefix && (
            <>
              {' '}
              (certificate <code>{n.fingerprintPrefix.match(/../g)?.join(':')}</code>…)
            </>
          )}{' '}
          {n.paired ? (
            <span className="muted">paired</span>
          ) : (
            <button type="button" className="secondary" onClick={() => onUse(n.address)}>
              Use this address
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
