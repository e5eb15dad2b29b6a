import { useEffect, useRef } from 'react';
import { useAppStore } from '../../state/app-store';
import './dashboard-header.css';

/** "Stop all" asks first, saying what stops answering; the data stays either way. */
export function StopAllConfirm({
  services,
  onStop,
  onCancel,
}: {
  services: string[];
  onStop: () => void;
  onCancel: () => void;
}) {
  const address = useAppStore((s) => s.address);
  const cancel = useRef<HTMLButtonElement>(null);
  // The safe choice has the focus, so Enter does not stop anything by accident.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-labelledby="stop-all-title"
      aria-describedby="stop-all-what"
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <p id="stop-all-title">
        <strong>Stop MediaNest?</strong>
      </p>
      <p id="stop-all-what">
        Nobody can open MediaNest{address ? ` at ${address.url}` : ''} until you start it again
        {services.length > 0 ? `; these services stop: ${services.join(', ')}` : ''}. Your library,
        settings and backups stay as they are.
      </p>
      <div className="wizard-actions">
        <button type="button" onClick={onStop}>
          Yes, stop all
        </button>
        <button type="button" className="secondary" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
