import { errorFor } from '../../state/settings-store-form';
import { Field } from './Field';
import type { FieldsProps } from './fields-props';

/** Local only, or a domain name with optional HTTPS certificates from Let's Encrypt. */
export function AddressFields({ values, errors, onChange }: FieldsProps) {
  const tls = values.profiles.includes('tls');
  return (
    <>
      <fieldset className="choices" data-field="access">
        <legend>How will people reach MediaNest?</legend>
        <label className="choice">
          <input
            type="radio"
            name="access"
            value="local"
            checked={values.access === 'local'}
            onChange={() => onChange('access', 'local')}
          />
          <span>
            <strong>Only on this computer and my home network</strong>
            <span className="choice-plain">
              No domain name, no certificates: open it by this computer&apos;s address.
            </span>
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="access"
            value="domain"
            checked={values.access === 'domain'}
            onChange={() => onChange('access', 'domain')}
          />
          <span>
            <strong>With my own domain name</strong>
            <span className="choice-plain">
              Such as media.example.org, pointing at this computer.
            </span>
          </span>
        </label>
      </fieldset>
      {values.access === 'domain' && (
        <>
          <Field
            id="domain"
            label="Domain name"
            hint="Lowercase, without https:// or a path: media.example.org"
            error={errorFor(errors, 'domain')}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                autoComplete="off"
                spellCheck={false}
                value={values.domain}
                onChange={(e) => onChange('domain', e.target.value)}
              />
            )}
          </Field>
          <label className="choice" data-field="tls">
            <input
              type="checkbox"
              checked={tls}
              onChange={(e) =>
                onChange(
                  'profiles',
                  e.target.checked
                    ? [...values.profiles, 'tls']
                    : values.profiles.filter((p) => p !== 'tls'),
                )
              }
            />
            <span>
              <strong>HTTPS with a free Let&apos;s Encrypt certificate</strong>
              <span className="choice-plain">
                The domain must reach this computer from the internet on the HTTP port.
              </span>
            </span>
          </label>
          <Field
            id="email"
            label={tls ? "Email for Let's Encrypt" : 'Email (optional)'}
            hint="Let's Encrypt writes here before a certificate expires."
            error={errorFor(errors, 'email')}
          >
            {(aria) => (
              <input
                {...aria}
                type="email"
                autoComplete="email"
                value={values.email}
                onChange={(e) => onChange('email', e.target.value)}
              />
            )}
          </Field>
        </>
      )}
    </>
  );
}
