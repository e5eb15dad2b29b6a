import { errorFor, type Profile, type SettingsFormValues } from '../../state/settings-store-form';
import type { FieldsProps } from './fields-props';

const ENVIRONMENTS: { value: SettingsFormValues['environment']; label: string; plain: string }[] = [
  {
    value: 'prod',
    label: 'Home server',
    plain: 'For everyday use: tuned for reliability, with restarts and limits.',
  },
  {
    value: 'dev',
    label: 'Development',
    plain: 'For working on MediaNest itself: more logging, developer tools allowed.',
  },
  { value: 'test', label: 'Testing', plain: 'A throw-away setup for trying things out.' },
];

const PROFILES: { value: Exclude<Profile, 'tls'>; label: string; plain: string }[] = [
  {
    value: 'monitoring',
    label: 'Monitoring',
    plain: 'Adds Prometheus and Grafana: charts of how the server is doing.',
  },
  {
    value: 'devtools',
    label: 'Developer tools',
    plain: 'Adds pgAdmin, Redis Commander and MailHog to look inside the databases and mail.',
  },
];

/** Environment and optional extras, explained in plain words. */
export function EnvironmentFields({ values, errors, onChange }: FieldsProps) {
  const environmentError = errorFor(errors, 'environment');
  const profilesError = errorFor(errors, 'profiles');
  return (
    <>
      <fieldset
        className="choices"
        data-field="environment"
        aria-describedby={environmentError ? 'environment-error' : undefined}
      >
        <legend>What is this MediaNest for?</legend>
        {ENVIRONMENTS.map((env) => (
          <label key={env.value} className="choice">
            <input
              type="radio"
              name="environment"
              value={env.value}
              checked={values.environment === env.value}
              onChange={() => onChange('environment', env.value)}
            />
            <span>
              <strong>{env.label}</strong>
              <span className="choice-plain">{env.plain}</span>
            </span>
          </label>
        ))}
        {environmentError && (
          <p className="field-error" id="environment-error">
            {environmentError}
          </p>
        )}
      </fieldset>
      <fieldset
        className="choices"
        data-field="profiles"
        aria-describedby={profilesError ? 'profiles-error' : undefined}
      >
        <legend>Extras (optional)</legend>
        {PROFILES.map((profile) => (
          <label key={profile.value} className="choice">
            <input
              type="checkbox"
              checked={values.profiles.includes(profile.value)}
              onChange={(e) =>
                onChange(
                  'profiles',
                  e.target.checked
                    ? [...values.profiles, profile.value]
                    : values.profiles.filter((p) => p !== profile.value),
                )
              }
            />
            <span>
              <strong>{profile.label}</strong>
              <span className="choice-plain">{profile.plain}</span>
            </span>
          </label>
        ))}
        {profilesError && (
          <p className="field-error" id="profiles-error">
            {profilesError}
          </p>
        )}
      </fieldset>
    </>
  );
}
