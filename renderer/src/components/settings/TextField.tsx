import type { InputHTMLAttributes, ReactNode } from 'react';
import { errorFor, type SettingsFormValues } from '../../state/settings-store-form';
import { InputField } from '../ui/InputField';
import type { FieldsProps } from './fields-props';

/** The form values that are free text (not a choice among a few). */
export type TextKey = {
  [K in keyof SettingsFormValues]: string extends SettingsFormValues[K] ? K : never;
}[keyof SettingsFormValues];

export interface TextFieldProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'name' | 'value' | 'onChange'
> {
  /** The group's values, messages and setter. */
  fields: FieldsProps;
  name: TextKey;
  label: string;
  hint?: ReactNode;
  /** The server's name for the field when it differs from the form's (`plex.clientId`). */
  errorKey?: string;
  status?: ReactNode;
}

/** A labelled text input bound to one form value, with its hint and the server's message. */
export function TextField({
  fields,
  name,
  label,
  hint,
  errorKey,
  status,
  ...input
}: TextFieldProps) {
  return (
    <InputField
      {...input}
      id={name}
      label={label}
      hint={hint}
      error={errorFor(fields.errors, errorKey ?? name)}
      status={status}
      value={fields.values[name]}
      onValue={(value) => fields.onChange(name, value)}
    />
  );
}
