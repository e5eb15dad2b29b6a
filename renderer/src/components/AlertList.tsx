import type { Alert } from '@contract';
import { Link } from '../router';
import { useLiveStore } from '../state/live-store';
import { formatTime } from './format';

const TONE = { info: 'unknown', warning: 'warn', critical: 'fail' } as const;

/** Alerts, newest first, each with where to deal with it and, while it fires, Acknowledge. */
export function AlertList({ alerts, empty }: { alerts: readonly Alert[]; empty: string }) {
  const acknowledge = useLiveStore((s) => s.acknowledge);
  if (alerts.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="alerts">
      {alerts.map((alert) => (
        <li key={alert.id} data-alert={alert.rule} data-state={alert.state}>
          <span
            className={`badge badge-${alert.state === 'resolved' ? 'ok' : TONE[alert.severity]}`}
          >
            {alert.state === 'resolved' ? 'resolved' : alert.severity}
          </span>
          <div>
            <strong>{alert.title}</strong>
            <p>{alert.message}</p>
            <p className="muted">
              Since {formatTime(alert.firedAt)}
              {alert.resolvedAt && `, resolved ${formatTime(alert.resolvedAt)}`}
              {alert.acknowledgedAt && ' · acknowledged'} · <Link href={alert.page}>Open</Link>
            </p>
            {alert.state === 'firing' && !alert.acknowledgedAt && (
              <button type="button" onClick={() => void acknowledge(alert.id)}>
                Acknowledge
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
