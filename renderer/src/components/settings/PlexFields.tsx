import type { FieldsProps } from './fields-props';
import { TextField } from './TextField';

/** Plex client values: optional, kept as secrets (never shown back). */
export function PlexFields(props: FieldsProps) {
  const hint = props.editing
    ? 'Stored as a secret and never shown; leave empty to keep the current value.'
    : 'Optional: from your Plex app registration. Kept as a secret on this computer.';
  return (
    <div className="field-row">
      <TextField
        fields={props}
        name="plexClientId"
        errorKey="plex.clientId"
        label="Plex client ID"
        hint={hint}
        type="text"
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        fields={props}
        name="plexClientSecret"
        errorKey="plex.clientSecret"
        label="Plex client secret"
        type="password"
        autoComplete="off"
      />
    </div>
  );
}
