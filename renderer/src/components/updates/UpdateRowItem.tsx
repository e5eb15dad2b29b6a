import { Fragment, useState, type FormEvent } from 'react';
import {
  availableWords,
  ago,
  currentVersion,
  newestOffer,
  offlineWords,
  rowBadge,
  shortVersion,
  type UpdateRow,
} from '../../state/update-offer';
import { InputField } from '../ui/InputField';
import { ConfirmInPlace } from '../ui/ConfirmInPlace';

export interface RowActions {
  /** No update can start now (a job runs, Docker is away). */
  blocked: boolean;
  pin: (services: readonly string[], pinned: boolean) => void;
  skip: (services: readonly string[], version: string | undefined) => void;
  update: (service: string, from: string, version: string, to: string) => void;
}

/**
 * One image of the stack: what runs, what is available and when that was known, the registry's
 * silence when it did not answer; pin, skip, and (for the services updates apply to) update to the
 * newest offered version or to a typed one, each after a question naming from and to. An image
 * built here has no registry to ask: its row says so and offers no pin.
 */
export function UpdateRowItem({
  row,
  now,
  actions,
}: {
  row: UpdateRow;
  now: number;
  actions: RowActions;
}) {
  const { update, services, service } = row;
  const offer = newestOffer(update);
  const badge = rowBadge(update);
  const current = currentVersion(update);
  const offline = offlineWords(update, now);
  const [asking, setAsking] = useState<{ version: string; to: string } | undefined>();
  const headingId = `update-${service}`;
  const skipped = update.skipped && shortVersion(update.skipped);
  const asked = update.localBuild && !update.checkout ? undefined : update.checkedAt;
  const pinnable = update.pinned || !update.localBuild || update.checkout !== undefined;
  const labels = Object.entries(update.labels ?? {});

  return (
    <li className="update-row" data-update={service} aria-labelledby={headingId}>
      <div className="card-head">
        <h3 id={headingId}>
          {service}
          {services.length > 1 && (
            <span className="muted"> (with {services.slice(1).join(', ')})</span>
          )}
        </h3>
        <span className={`badge badge-${badge.tone}`} data-field="update-state">
          {badge.label}
        </span>
      </div>
      <dl className="facts">
        <dt>Runs</dt>
        <dd data-field="current">
          {current}{' '}
          <code className="muted" title="The image reference the stack runs">
            {update.image}
          </code>
        </dd>
        <dt>Available</dt>
        <dd data-field="available">{availableWords(update)}</dd>
        {asked !== undefined && (
          <>
            <dt>Checked</dt>
            <dd data-field="checked">{ago(asked, now)}</dd>
          </>
        )}
      </dl>
      {offline && (
        <p className="update-offline" data-field="offline">
          {offline}
        </p>
      )}
      {update.pinned && (
        <p data-field="pinned">Pinned to {current}: nothing newer is offered until you unpin it.</p>
      )}
      {skipped && <p data-field="skipped">Skipping {skipped}: newer versions are still offered.</p>}
      {labels.length > 0 && (
        <details className="update-labels">
          <summary>About {offer?.version ?? 'the newest version'}</summary>
          <dl className="facts">
            {labels.map(([key, value]) => (
              <Fragment key={key}>
                <dt>{key.replace(/^org\.opencontainers\.image\./, '')}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        </details>
      )}
      {(offer || skipped || pinnable) && (
        <div className="actions" role="group" aria-label={`${service} updates`}>
          {offer?.to && row.updatable && (
            <button
              type="button"
              disabled={actions.blocked}
              onClick={() => offer.to && setAsking({ version: offer.version, to: offer.to })}
            >
              Update to {offer.version}
            </button>
          )}
          {offer && (
            <button
              type="button"
              title="Not offered again; newer versions still are"
              onClick={() => actions.skip(services, offer.skip)}
            >
              Skip {offer.version}
            </button>
          )}
          {skipped && (
            <button type="button" onClick={() => actions.skip(services, undefined)}>
              Stop skipping {skipped}
            </button>
          )}
          {pinnable && (
            <button type="button" onClick={() => actions.pin(services, !update.pinned)}>
              {update.pinned ? 'Unpin' : `Pin to ${current}`}
            </button>
          )}
        </div>
      )}
      {row.updatable && (
        <OtherVersion
          service={service}
          blocked={actions.blocked}
          onAsk={(version) => setAsking({ version, to: version })}
        />
      )}
      {asking && (
        <ConfirmInPlace
          id={`update-confirm-${service}`}
          title={`Update ${service} from ${current} to ${asking.version}?`}
          yes={`Yes, update to ${asking.version}`}
          onCancel={() => setAsking(undefined)}
          onYes={() => {
            setAsking(undefined);
            actions.update(service, current, asking.version, asking.to);
          }}
        >
          <p>
            First a safety snapshot of MediaNest is taken: it stops for a few minutes while the
            snapshot is made, so nothing written is lost. Then {asking.version} starts and must come
            up healthy. If it does not, MediaNest goes back to {current} by itself, with its data as
            before.
          </p>
        </ConfirmInPlace>
      )}
    </li>
  );
}

/** A version the card does not offer (an older tag, a variant, another image), typed, behind a disclosure. */
function OtherVersion({
  service,
  blocked,
  onAsk,
}: {
  service: string;
  blocked: boolean;
  onAsk: (version: string) => void;
}) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const version = typed.trim();
    if (!version) {
      setError('Version: type a tag, such as v2, or a whole image reference.');
      return;
    }
    setError(undefined);
    onAsk(version);
  };
  return (
    <details className="update-other">
      <summary>Update {service} to another version</summary>
      <form onSubmit={submit}>
        <InputField
          id={`update-to-${service}`}
          label={`Another version of ${service}`}
          hint="A tag of the same image (v2), or a whole image reference."
          error={error}
          value={typed}
          onValue={setTyped}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="secondary" disabled={blocked}>
          Update to this version
        </button>
      </form>
    </details>
  );
}
