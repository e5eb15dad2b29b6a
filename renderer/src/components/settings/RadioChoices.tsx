import type { ReactNode } from 'react';
import type { SettingsFormValues } from '../../state/settings-store-form';
import { Choice } from '../ui/Choice';
import type { FieldsProps } from './fields-props';

/** The form values that are one of a few words (`prod`, `dev`, `test`). */
type ChoiceKey = {
  [K in keyof SettingsFormValues]: SettingsFormValues[K] extends string
    ? string extends SettingsFormValues[K]
      ? never
      : K
    : never;
}[keyof SettingsFormValues];

export interface RadioChoicesProps<K extends ChoiceKey> {
  fields: FieldsProps;
  name: K;
  options: ReadonlyArray<{ value: SettingsFormValues[K]; title: ReactNode; plain: ReactNode }>;
}

/** One radio button per option, bound to one form value. */
export function RadioChoices<K extends ChoiceKey>({ fields, name, options }: RadioChoicesProps<K>) {
  return options.map((option) => (
    <Choice
      key={option.value}
      type="radio"
      name={name}
      value={option.value}
      checked={fields.values[name] === option.value}
      onChange={() => fields.onChange(name, option.value)}
      title={option.title}
      plain={option.plain}
    />
  ));
}
