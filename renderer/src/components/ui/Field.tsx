import type { ReactNode } from 'react';

export interface FieldProps {
  /** The form field's id; also its `data-field`, so tests and the error find it. */
  id: string;
  label: string;
  hint?: ReactNode;
  /** The server's message for this field, shown right under it. */
  error?: string | undefined;
  /** Live state next to the field (a port check). */
  status?: ReactNode;
  children: (aria: {
    id: string;
    'aria-describedby': string | undefined;
    'aria-invalid': boolean;
  }) => ReactNode;
}

/** One labelled input with its hint and its own error message, linked for screen readers. */
export function Field({ id, label, hint, error, status, children }: FieldProps) {
  const described = [
    hint ? `${id}-hint` : '',
    error ? `${id}-error` : '',
    status ? `${id}-status` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'} data-field={id}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': Boolean(error) })}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {status && (
        <p className="field-status" id={`${id}-status`} aria-live="polite">
          {status}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
