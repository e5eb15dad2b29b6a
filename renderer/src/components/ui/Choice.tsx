import type { InputHTMLAttributes, ReactNode } from 'react';

export interface ChoiceProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'title'> {
  type: 'radio' | 'checkbox';
  title: ReactNode;
  /** One line in plain words under the title, where the title needs one. */
  plain?: ReactNode;
  /** `data-field` of the whole choice, so tests and error messages find it. */
  field?: string;
}

/** A radio button or checkbox with a bold title and, where it needs one, a line in plain words under it. */
export function Choice({ title, plain, field, ...input }: ChoiceProps) {
  return (
    <label className="choice" data-field={field}>
      <input {...input} />
      <span>
        <strong>{title}</strong>
        {plain !== undefined && <span className="choice-plain">{plain}</span>}
      </span>
    </label>
  );
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
