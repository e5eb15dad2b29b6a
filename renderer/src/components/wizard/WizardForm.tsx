import { useEffect, useRef, type FormEvent } from 'react';
import type { ApiClient } from '@contract';
import { WIZARD_STEPS, useWizardStore } from '../../state/wizard-store';
import { useFields } from '../../state/use-fields';
import { AddressFields } from '../settings/AddressFields';
import { EnvironmentFields } from '../settings/EnvironmentFields';
import { PlexFields } from '../settings/PlexFields';
import { PortFields } from '../settings/PortFields';
import { DataFields, ImageFields } from '../settings/StorageFields';
import { ReviewStep } from './ReviewStep';

const INTRO: Record<(typeof WIZARD_STEPS)[number]['id'], string> = {
  environment:
    'MediaNest runs as a handful of services in Docker. Choose what it is for; you can change this later in Settings.',
  address: 'MediaNest can stay on your home network, or answer on a domain name of your own.',
  ports: 'The ports MediaNest answers on. Each is checked on this computer as you type.',
  data: 'Your library data, databases and uploads are kept in one folder.',
  images: 'The programs that make up MediaNest come as Docker images.',
  plex: 'To sign in with Plex, paste the values of your Plex app. You can skip this and add them later.',
  review:
    'Check your choices, then install. Nothing is changed on this computer until you press Install.',
};

/** The wizard's steps: one question at a time, each checked by the server before moving on. */
export function WizardForm({ client }: { client: ApiClient }) {
  const {
    step,
    values,
    errors,
    validating,
    ports,
    set: setValue,
    next,
    back,
    chooseDoor,
    checkPorts,
    startInstall,
  } = useFields(useWizardStore, [
    'step',
    'values',
    'errors',
    'validating',
    'ports',
    'set',
    'next',
    'back',
    'chooseDoor',
    'checkPorts',
    'startInstall',
  ]);
  const current = WIZARD_STEPS[step] ?? WIZARD_STEPS[0];
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  // A new step announces itself: focus moves to its heading (not on arrival, which keeps the page's).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  useEffect(() => {
    if (current.id === 'ports') checkPorts(client);
  }, [current.id, values.httpPort, values.httpsPort, checkPorts, client]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void (current.id === 'review' ? startInstall(client) : next(client));
  };
  const props = { values, errors, onChange: setValue };
  return (
    <section className="card wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">Set up MediaNest</h2>
      <ol className="wizard-steps">
        {WIZARD_STEPS.map((s, index) => (
          <li
            key={s.id}
            aria-current={index === step ? 'step' : undefined}
            className={index < step ? 'done' : undefined}
          >
            {s.title}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} noValidate aria-labelledby="step-title">
        <h3 id="step-title" ref={heading} tabIndex={-1}>
          {current.title}
        </h3>
        <p className="step-intro">{INTRO[current.id]}</p>
        {current.id === 'environment' && <EnvironmentFields {...props} />}
        {current.id === 'address' && <AddressFields {...props} />}
        {current.id === 'ports' && <PortFields {...props} ports={ports} />}
        {current.id === 'data' && <DataFields {...props} />}
        {current.id === 'images' && <ImageFields {...props} client={client} />}
        {current.id === 'plex' && <PlexFields {...props} />}
        {current.id === 'review' && <ReviewStep />}
        {errors['(config)'] && (
          <p className="error" role="alert">
            {errors['(config)']}
          </p>
        )}
        <div className="wizard-actions">
          <button
            type="button"
            className="secondary"
            onClick={() => (step === 0 ? chooseDoor('choose') : back())}
          >
            Back
          </button>
          <button type="submit" disabled={validating}>
            {validating ? 'Checking…' : current.id === 'review' ? 'Install MediaNest' : 'Next'}
          </button>
        </div>
      </form>
    </section>
  );
}
