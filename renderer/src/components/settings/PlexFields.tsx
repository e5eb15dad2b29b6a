import { errorFor } from '../../state/settings-store-form';
import { Field } from './Field';
import type { FieldsProps } from './fields-props';

/** Plex client values: optional, kept as secrets (never shown back). */
export function PlexFields({ values, errors, onChange, editing }: FieldsProps) {
  const hint = editing
    ? 'Stored as a secret and never shown; leave empty to keep the current value.'
    : 'Optional: from your Plex app registration. Kept as a secret on this computer.';
  return (
    <div className="field-row">
      <Field
        id="plexClientId"
        label="Plex client ID"
        hint={hint}
        error={errorFor(errors, 'plex.clientId')}
      >
        {(aria) => (
          <input
            {...aria}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.plexClientId}
            onChange={(e) => onChange('plexClientId', e.target.value)}
          />
        )}
      </Field>
      <Field
        id="plexClientSecret"
        label="Plex client secret"
        error={errorFor(errors, 'plex.clientSecret')}
      >
        {(aria) => (
          <input
            {...aria}
            type="password"
            autoComplete="off"
            value={values.plexClientSecret}
            onChange={(e) => onChange('plexClientSecret', e.target.value)}
          />
        )}
      </Field>
    </div>
  );
}
