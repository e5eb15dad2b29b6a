import { Link } from '../router';
import { useLiveStore } from '../state/live-store';
import { STATE } from './backups/format';
import { formatBytes } from '@contract';
import { formatTime } from './format';

/** The newest backup and whether it was verified. */
export function BackupCard() {
  const last = useLiveStore((s) => s.lastBackup);
  const shown = last ? STATE[last.state] : undefined;
  return (
    <section className="card" aria-labelledby="backup-title">
      <h2 id="backup-title">Last backup</h2>
      {last && shown ? (
        <>
          <p>
            <span className={`badge badge-${shown.badge}`} data-field="backup-state">
              {shown.label}
            </span>{' '}
            <span title="When this backup was made">{formatTime(last.createdAt)}</span> ({last.kind}
            , <span title="Size of the backup file">{formatBytes(last.size)}</span>)
          </p>
          {last.error && <p className="error">{last.error.message}</p>}
        </>
      ) : (
        <p className="muted">No backup yet: make one now so your data is safe.</p>
      )}
      <p>
        <Link href="/backups">Backups</Link>
      </p>
    </section>
  );
}
