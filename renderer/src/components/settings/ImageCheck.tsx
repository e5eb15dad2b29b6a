import { useState } from 'react';
import { messageOf, type ApiClient, type ImageCheckReport } from '@contract';
import { toChanges, type SettingsFormValues } from '../../state/settings-store-form';
import { coded } from './CheckoutFindings';
import { serviceWords, verdictOf, type PullPolicy, type ServiceWords } from './image-check-words';

type CheckState =
  | { phase: 'idle' }
  | { phase: 'checking' }
  | { phase: 'done'; report: ImageCheckReport; asked: string; pullPolicy: PullPolicy }
  | { phase: 'error'; message: string };

const BADGE = {
  ok: { className: 'badge badge-ok', label: 'OK' },
  warn: { className: 'badge badge-warn', label: 'Not here yet' },
  fail: { className: 'badge badge-fail', label: 'Problem' },
};

/**
 * What a check asks about: the images (and the environment, whose templates decide how they run)
 * as the form holds them, laid over the stored settings by the server; or why it cannot ask.
 */
export function checkChanges(
  values: SettingsFormValues,
): { changes: Record<string, unknown> } | { error: string } {
  const { changes, errors } = toChanges(values);
  if (errors.images) return { error: `Image per service: ${errors.images}` };
  return { changes: { environment: changes.environment, images: changes.images } };
}

function ServiceFindings({ words }: { words: ServiceWords }) {
  return (
    <li data-service={words.service} data-fits={words.ok}>
      <p>
        <strong>{words.title}</strong> <code>{words.image}</code>
        {words.exactly && <span className="fix"> ({words.exactly})</span>}
      </p>
      <ul className="checks">
        {words.findings.map((finding) => {
          const tone = finding.ok ? 'ok' : words.notYetHere ? 'warn' : 'fail';
          return (
            <li key={finding.what} className={`check check-${tone}`} data-finding={finding.what}>
              <span className={BADGE[tone].className}>{BADGE[tone].label}</span>
              <div>
                <p>{coded(finding.text)}</p>
                {finding.action && <p className="fix">What to do: {coded(finding.action)}</p>}
              </div>
            </li>
          );
        })}
      </ul>
    </li>
  );
}

/**
 * "Check images": asks the server whether the stack can start with the images chosen on this
 * step (read from each image on the server's machine, never run), and says per service what fits
 * and what does not, with what to do, under one verdict.
 */
export function ImageCheck({ client, values }: { client: ApiClient; values: SettingsFormValues }) {
  const [state, setState] = useState<CheckState>({ phase: 'idle' });
  const asking = checkChanges(values);
  const askingKey = JSON.stringify(asking);

  const check = async () => {
    if ('error' in asking) {
      setState({ phase: 'error', message: asking.error });
      return;
    }
    setState({ phase: 'checking' });
    try {
      const report = await client.imagesCheck({ changes: asking.changes });
      setState({ phase: 'done', report, asked: askingKey, pullPolicy: values.pullPolicy });
    } catch (error) {
      setState({ phase: 'error', message: messageOf(error) });
    }
  };

  const verdict = state.phase === 'done' ? verdictOf(state.report, state.pullPolicy) : undefined;
  return (
    <div className="image-check" data-field="imageCheck">
      <button
        type="button"
        className="secondary"
        disabled={state.phase === 'checking'}
        onClick={() => void check()}
      >
        {state.phase === 'checking' ? 'Checking images…' : 'Check images'}
      </button>
      <p className="field-hint">
        Looks inside each image on the computer that runs the appliance, without running it, and
        says whether MediaNest can start with it.
      </p>
      {state.phase === 'error' && (
        <p className="error" role="alert">
          The images could not be checked: {state.message}
        </p>
      )}
      {state.phase === 'done' && verdict && (
        <section className="image-check-result" aria-label="Image check">
          <p className={`verdict verdict-${verdict.tone}`} role="status">
            {verdict.text}
          </p>
          {state.asked !== askingKey && (
            <p className="fix">The images above changed since this check: check again.</p>
          )}
          <ul className="image-checks">
            {state.report.services.map((service) => (
              <ServiceFindings
                key={service.service}
                words={serviceWords(service, state.pullPolicy)}
              />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
