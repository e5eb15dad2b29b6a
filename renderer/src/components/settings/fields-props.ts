import type { FieldErrors, SettingsFormValues } from '../../state/settings-store-form';

/** What every group of settings fields gets: the values, the server's messages, a setter. */
export interface FieldsProps {
  values: SettingsFormValues;
  errors: FieldErrors;
  onChange: <K extends keyof SettingsFormValues>(field: K, value: SettingsFormValues[K]) => void;
  /** The settings page: show "unchanged" hints for secrets instead of first-run wording. */
  editing?: boolean;
}

/** `list` with `item` in it when `on`, without it otherwise (a checkbox over a list of choices). */
export function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}
