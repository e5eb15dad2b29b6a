import { errorFor } from '../../state/settings-store-form';
import { usesHttps } from '../../state/port-checks';
import { WIZARD_STEPS, useWizardStore } from '../../state/wizard-store';

const ENVIRONMENT = { prod: 'Home server', dev: 'Development', test: 'Testing' } as const;

/** Every choice on one page, each with a link back to its step and any message the server has. */
export function ReviewStep() {
  const values = useWizardStore((s) => s.values);
  const errors = useWizardStore((s) => s.errors);
  const goTo = useWizardStore((s) => s.goTo);
  const rows: {
    step: (typeof WIZARD_STEPS)[number]['id'];
    label: string;
    value: string;
    error?: string | undefined;
  }[] = [
    { step: 'environment', label: 'Use', value: ENVIRONMENT[values.environment] },
    {
      step: 'environment',
      label: 'Extras',
      value: values.profiles.filter((p) => p !== 'tls').join(', ') || 'none',
      error: errorFor(errors, 'profiles'),
    },
    {
      step: 'address',
      label: 'Address',
      value:
        values.access === 'local'
          ? 'Local only (no domain)'
          : `${values.domain}${values.profiles.includes('tls') ? ' with HTTPS' : ''}`,
      error: errorFor(errors, 'domain') ?? errorFor(errors, 'email'),
    },
    {
      step: 'ports',
      label: 'Ports',
      value: usesHttps(values)
        ? `HTTP ${values.httpPort}, HTTPS ${values.httpsPort}`
        : `HTTP ${values.httpPort}`,
      error: errorFor(errors, 'httpPort') ?? errorFor(errors, 'httpsPort'),
    },
    {
      step: 'data',
      label: 'Data folder',
      value: values.dataDir || 'In the app’s home',
      error: errorFor(errors, 'dataDir'),
    },
    {
      step: 'images',
      label: 'Images',
      value: values.imageSource === 'official' ? 'Official images' : 'My own images',
      error: errorFor(errors, 'images'),
    },
    {
      step: 'plex',
      label: 'Plex',
      value: values.plexClientId ? 'Client values given' : 'Not set',
      error: errorFor(errors, 'plex'),
    },
  ];
  return (
    <dl className="review">
      {rows.map((row) => (
        <div key={row.label} className={row.error ? 'review-row field-invalid' : 'review-row'}>
          <dt>{row.label}</dt>
          <dd>
            {row.value}{' '}
            <button
              type="button"
              className="link"
              onClick={() => goTo(WIZARD_STEPS.findIndex((s) => s.id === row.step))}
            >
              Change<span className="visually-hidden"> {row.label.toLowerCase()}</span>
            </button>
            {row.error && <p className="field-error">{row.error}</p>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
