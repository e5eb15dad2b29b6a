import { useAppStore } from '../state/app-store';
import { useLiveStore } from '../state/live-store';

/**
 * One status in the header: the appliance server, and Docker behind it. A server that answers
 * while Docker does not is no "Server running": nothing can be started or stopped.
 */
export function ConnectionBadge() {
  const connection = useAppStore((s) => s.connection);
  const engineDown = useLiveStore((s) => s.health?.status === 'unknown');
  if (connection.state === 'connected' && engineDown) {
    return (
      <span className="badge badge-fail" role="status" data-field="connection">
        Docker not reachable
      </span>
    );
  }
  switch (connection.state) {
    case 'connecting':
      return (
        <span className="badge badge-unknown" role="status" data-field="connection">
          Connecting…
        </span>
      );
    case 'connected':
      return (
        <span
          className="badge badge-ok"
          role="status"
          data-field="connection"
          title={`Up for ${connection.health.uptimeSeconds} s`}
        >
          Server running · v{connection.health.version}
        </span>
      );
    case 'lost':
      return (
        <span
          className="badge badge-fail"
          role="status"
          title={connection.message}
          data-field="connection"
        >
          Server unreachable, retrying
        </span>
      );
  }
}
