import type { FieldsProps } from './fields-props';
import { TextField } from './TextField';

/** Plex client values: optional, kept as secrets (never shown back). */
export function PlexFields(props: FieldsProps) {
  // One line for both fields, above them, so the two boxes line up.
  const hint = props.editing
    ? 'Stored as secrets and never shown; leave empty to keep the current values.'
    : 'Optional. Both come from the app you registered with Plex (plex.tv, your account’s developer settings); sign-in with a Plex PIN works without them. Kept as secrets on this computer.';
  return (
    <>
      <p className="muted plex-where">{hint}</p>
      <div className="field-row">
        <TextField
          fields={props}
          name="plexClientId"
          errorKey="plex.clientId"
          label="Plex client ID"
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
    </>
  );
}
