import type { FieldErrors, SettingsFormValues } from '../../state/settings-store-form';

/** What every group of settings fields gets: the values, the server's messages, a setter. */
export interface FieldsProps {
  values: SettingsFormValues;
  errors: FieldErrors;
  onChange: <K extends keyof SettingsFormValues>(field: K, value: SettingsFormValues[K]) => void;
  /** The settings page: show "unchanged" hints for secrets instead of first-run wording. */
  editing?: boolean;
}
