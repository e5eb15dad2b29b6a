import { errorFor, type Profile } from '../../state/settings-store-form';
import { Choice, ChoiceSet } from '../ui/Choice';
import { RadioChoices, type RadioChoicesProps } from './RadioChoices';
import { toggled, type FieldsProps } from './fields-props';

const ENVIRONMENTS: RadioChoicesProps<'environment'>['options'] = [
  {
    value: 'prod',
    title: 'Home server',
    plain: 'For everyday use: tuned for reliability, with restarts and limits.',
  },
  {
    value: 'dev',
    title: 'Development',
    plain: 'For working on MediaNest itself: more logging, developer tools allowed.',
  },
  { value: 'test', title: 'Testing', plain: 'A throw-away setup for trying things out.' },
];

const PROFILES: { value: Exclude<Profile, 'tls'>; title: string; plain: string }[] = [
  {
    value: 'monitoring',
    title: 'Monitoring',
    plain: 'Adds Prometheus and Grafana: charts of how the server is doing.',
  },
  {
    value: 'devtools',
    title: 'Developer tools',
    plain: 'Adds pgAdmin, Redis Commander and MailHog to look inside the databases and mail.',
  },
];

/** Environment and optional extras, explained in plain words. */
export function EnvironmentFields(props: FieldsProps) {
  const { values, errors, onChange } = props;
  return (
    <>
      <ChoiceSet
        field="environment"
        legend="What is this MediaNest for?"
        error={errorFor(errors, 'environment')}
      >
        <RadioChoices fields={props} name="environment" options={ENVIRONMENTS} />
      </ChoiceSet>
      <ChoiceSet field="profiles" legend="Extras (optional)" error={errorFor(errors, 'profiles')}>
        {PROFILES.map((profile) => (
          <Choice
            key={profile.value}
            type="checkbox"
            checked={values.profiles.includes(profile.value)}
            onChange={(e) =>
              onChange('profiles', toggled(values.profiles, profile.value, e.target.checked))
            }
            title={profile.title}
            plain={profile.plain}
          />
        ))}
      </ChoiceSet>
    </>
  );
}
