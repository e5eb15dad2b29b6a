import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A question asked in place before an update or a rollback: what changes, and what keeps the data
 * safe. The safe choice has the focus, so Enter does not start anything by accident; Escape is no.
 */
export function ConfirmInPlace({
  id,
  title,
  children,
  yes,
  onYes,
  onCancel,
}: {
  id: string;
  title: string;
  children: ReactNode;
  yes: string;
  onYes: () => void;
  onCancel: () => void;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-what`}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <p id={`${id}-title`}>
        <strong>{title}</strong>
      </p>
      <div id={`${id}-what`}>{children}</div>
      <div className="wizard-actions">
        <button type="button" onClick={onYes}>
          {yes}
        </button>
        <button type="button" className="secondary" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
