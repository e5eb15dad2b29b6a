import type { ReactNode } from 'react';
import { useExpiringMessage } from '../../state/use-expiring-message';

/** A small form's end: its overall error, extra buttons, submit, and "Saved." once saved. */
export function FormFooter({
  error,
  saved,
  submit,
  children,
}: {
  error?: string | undefined;
  saved: boolean;
  submit: string;
  children?: ReactNode;
}) {
  const savedShown = useExpiringMessage(saved);
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="wizard-actions">
        {children}
        <button type="submit">{submit}</button>
        {savedShown && (
          <span className="verdict-ok" role="status">
            Saved.
          </span>
        )}
      </div>
    </>
  );
}
