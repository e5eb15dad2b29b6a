import { Link } from '../router';
import type { SeenAlert } from '../state/live-store';
import { formatTime } from './format';

const TONE = { info: 'unknown', warning: 'warn', critical: 'fail' } as const;

/** Alerts, newest first, each with a link to where it can be dealt with. */
export function AlertList({ alerts, empty }: { alerts: readonly SeenAlert[]; empty: string }) {
  if (alerts.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="alerts">
      {alerts.map((alert) => (
        <li key={`${alert.alertId}-${alert.at}`} data-alert={alert.alertId}>
          <span className={`badge badge-${TONE[alert.severity]}`}>{alert.severity}</span>
          <div>
            <strong>{alert.title}</strong>
            <p>{alert.message}</p>
            <p className="muted">
              {formatTime(alert.at)} · <Link href={alert.page}>Open</Link>
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}
