import { useAppStore } from '../../state/app-store';
import { ConfirmInPlace } from '../ui/ConfirmInPlace';
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
  return (
    <ConfirmInPlace
      id="stop-all"
      title="Stop MediaNest?"
      yes="Yes, stop all"
      onYes={onStop}
      onCancel={onCancel}
    >
      <p>
        Nobody can open MediaNest{address ? ` at ${address.url}` : ''} until you start it again
        {services.length > 0 ? `; these services stop: ${services.join(', ')}` : ''}. Your library,
        settings and backups stay as they are.
      </p>
    </ConfirmInPlace>
  );
}
