import { Choice, ChoiceSet } from '../ui/Choice';
import { RadioChoices, type RadioChoicesProps } from './RadioChoices';
import { toggled, type FieldsProps } from './fields-props';
import { TextField } from './TextField';

const ACCESS: RadioChoicesProps<'access'>['options'] = [
  {
    value: 'local',
    title: 'Only on this computer and my home network',
    plain: "No domain name, no certificates: open it by this computer's address.",
  },
  {
    value: 'domain',
    title: 'With my own domain name',
    plain: 'Such as media.example.org, pointing at this computer.',
  },
];

/** Local only, or a domain name with optional HTTPS certificates from Let's Encrypt. */
export function AddressFields(props: FieldsProps) {
  const { values, onChange } = props;
  const tls = values.profiles.includes('tls');
  return (
    <>
      <ChoiceSet field="access" legend="How will people reach MediaNest?">
        <RadioChoices fields={props} name="access" options={ACCESS} />
      </ChoiceSet>
      {values.access === 'domain' && (
        <>
          <TextField
            fields={props}
            name="domain"
            label="Domain name"
            hint="Lowercase, without https:// or a path: media.example.org"
            type="text"
            autoComplete="off"
            spellCheck={false}
          />
          <Choice
            type="checkbox"
            field="tls"
            checked={tls}
            onChange={(e) =>
              onChange('profiles', toggled(values.profiles, 'tls', e.target.checked))
            }
            title="HTTPS with a free Let's Encrypt certificate"
            plain="The domain must reach this computer from the internet on the HTTP port."
          />
          <TextField
            fields={props}
            name="email"
            label={tls ? "Email for Let's Encrypt" : 'Email (optional)'}
            hint="Let's Encrypt writes here before a certificate expires."
            type="email"
            autoComplete="email"
          />
        </>
      )}
    </>
  );
}
