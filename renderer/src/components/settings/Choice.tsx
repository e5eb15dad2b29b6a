import type { InputHTMLAttributes, ReactNode } from 'react';
import type { SettingsFormValues } from '../../state/settings-store-form';
import type { FieldsProps } from './fields-props';

export interface ChoiceProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'title'> {
  type: 'radio' | 'checkbox';
  title: ReactNode;
  /** One line in plain words under the title. */
  plain: ReactNode;
  /** `data-field` of the whole choice, so tests and error messages find it. */
  field?: string;
}

/** A radio button or checkbox with a bold title and a line in plain words under it. */
export function Choice({ title, plain, field, ...input }: ChoiceProps) {
  return (
    <label className="choice" data-field={field}>
      <input {...input} />
      <span>
        <strong>{title}</strong>
        <span className="choice-plain">{plain}</span>
      </span>
    </label>
  );
}

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

export interface ChoiceSetProps {
  /** `data-field` of the set; its error's id is `<field>-error`. */
  field: string;
  legend: ReactNode;
  error?: string | undefined;
  children: ReactNode;
}

/** A set of choices under its question, with the server's message for it. */
export function ChoiceSet({ field, legend, error, children }: ChoiceSetProps) {
  return (
    <fieldset
      className="choices"
      data-field={field}
      aria-describedby={error ? `${field}-error` : undefined}
    >
      <legend>{legend}</legend>
      {children}
      {error && (
        <p className="field-error" id={`${field}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
