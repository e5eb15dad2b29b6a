import type { InputHTMLAttributes } from 'react';
import { Field, type FieldProps } from './Field';

type InputAttributes = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange' | 'children'
>;

export interface InputFieldProps extends Omit<FieldProps, 'children'>, InputAttributes {
  value: string;
  /** Told the new text at every keystroke. */
  onValue: (value: string) => void;
}

/** A `Field` holding one input bound to a text value: the common case of every form here. */
export function InputField({
  id,
  label,
  hint,
  error,
  status,
  value,
  onValue,
  ...input
}: InputFieldProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error} status={status}>
      {(aria) => (
        <input {...aria} {...input} value={value} onChange={(e) => onValue(e.target.value)} />
      )}
    </Field>
  );
}
