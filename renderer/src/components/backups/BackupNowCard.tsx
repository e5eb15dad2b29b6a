import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { JobStatus } from '../JobStatus';
import { bytes, when } from './format';

/** One click to back up now, and where the backups are kept and how much room they take. */
export function BackupNowCard({ client }: { client: ApiClient }) {
  const storage = useBackupsStore((s) => s.storage);
  const run = useBackupsStore((s) => s.backup);
  const backUpNow = useBackupsStore((s) => s.backUpNow);
  const bytesDone = run.job?.bytes;
  return (
    <section className="card" aria-labelledby="backup-now-title">
      <div className="card-head">
        <h2 id="backup-now-title">Back up</h2>
        <button
          type="button"
          disabled={run.phase === 'running'}
          onClick={() => void backUpNow(client)}
        >
          {run.phase === 'running' ? 'Backing up…' : 'Back up now'}
        </button>
      </div>
      <p className="muted">
        A backup holds the database, the cache, uploads and settings, encrypted with your recovery
        key. It counts as done only once it has been read back and checked.
      </p>
      <JobStatus run={run} success="Backed up and verified." />
      {run.phase === 'running' && bytesDone && (
        <p className="muted">
          {bytes(bytesDone.done)}
          {bytesDone.total ? ` of ${bytes(bytesDone.total)}` : ''} written
        </p>
      )}
      {storage?.sameDiskAsData && (
        <p className="card-warning" role="note">
          <strong>Every backup is on the same disk as MediaNest’s data.</strong> If that disk fails,
          the backups are lost with it. Now and then, download a backup (“Download” in the list
          below) and keep it on another device: a USB disk, another computer.
        </p>
      )}
      {storage && (
        <dl className="review storage">
          <div className="review-row">
            <dt>Kept in</dt>
            <dd>
              <code>{storage.location}</code>
            </dd>
          </div>
          <div className="review-row">
            <dt>Space used</dt>
            <dd>
              {bytes(storage.usedBytes)} by {storage.count} backup{storage.count === 1 ? '' : 's'};{' '}
              {bytes(storage.freeBytes)} free
            </dd>
          </div>
          <div className="review-row">
            <dt>Last good backup</dt>
            <dd>
              {storage.lastSuccessfulBackupAt ? when(storage.lastSuccessfulBackupAt) : 'None yet'}
            </dd>
          </div>
          <div className="review-row">
            <dt>Next by schedule</dt>
            <dd>{storage.nextRunAt ? when(storage.nextRunAt) : 'No schedule'}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
