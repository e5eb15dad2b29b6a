import { useAppStore } from '../state/app-store';

export function ConnectionBadge() {
  const connection = useAppStore((s) => s.connection);
  switch (connection.state) {
    case 'connecting':
      return (
        <span className="badge badge-unknown" role="status">
          Connecting…
        </span>
      );
    case 'connected':
      return (
        <span
          className="badge badge-ok"
          role="status"
          title={`Up for ${connection.health.uptimeSeconds} s`}
        >
          Server running · v{connection.health.version}
        </span>
      );
    case 'lost':
      return (
        <span className="badge badge-fail" role="status" title={connection.message}>
          Server unreachable, retrying
        </span>
      );
  }
}
