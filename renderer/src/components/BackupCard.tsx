import { Link } from '../router';
import { useLiveStore } from '../state/live-store';
import { formatBytes, formatTime } from './format';

const STATE: Record<string, { tone: string; text: string }> = {
  running: { tone: 'warn', text: 'being written' },
  complete: { tone: 'warn', text: 'written, not verified yet' },
  verified: { tone: 'ok', text: 'verified' },
  'verified-restorable': { tone: 'ok', text: 'verified and test-restored' },
  failed: { tone: 'fail', text: 'failed' },
  missing: { tone: 'fail', text: 'file missing' },
};

/** The newest backup and whether it was verified. */
export function BackupCard() {
  const last = useLiveStore((s) => s.lastBackup);
  const shown = last ? (STATE[last.state] ?? { tone: 'unknown', text: last.state }) : undefined;
  return (
    <section className="card" aria-labelledby="backup-title">
      <h2 id="backup-title">Last backup</h2>
      {last && shown ? (
        <>
          <p>
            <span className={`badge badge-${shown.tone}`} data-field="backup-state">
              {shown.text}
            </span>{' '}
            {formatTime(last.createdAt)} ({last.kind}, {formatBytes(last.size)})
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
