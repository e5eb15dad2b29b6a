import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { JobStatus } from '../JobStatus';
import { RestoreSteps } from './RestoreSteps';
import { bytes, when } from '../backups/format';

/** What a restore will do, what the archive holds, then the restore with its progress. */
export function RestorePanel({ client }: { client: ApiClient }) {
  const restore = useBackupsStore((s) => s.restore);
  const cancel = useBackupsStore((s) => s.cancelRestore);
  const startRestore = useBackupsStore((s) => s.startRestore);
  // A sent file not readable yet (a wrong key): its own form shows why, next to the field.
  if (!restore || (restore.source.upload !== undefined && !restore.preflight)) return null;
  const { preflight, run } = restore;
  const problem = restore.errors['(restore)'] ?? Object.values(restore.errors)[0];
  return (
    <section className="card restore" aria-labelledby="restore-panel-title">
      <h2 id="restore-panel-title">Restore {restore.label}</h2>
      {restore.checking && <p role="status">Reading what the backup holds…</p>}
      {problem && (
        <p className="error" role="alert">
          This backup cannot be read: {problem}
        </p>
      )}
      {preflight && (
        <>
          <dl className="review">
            <div className="review-row">
              <dt>Made</dt>
              <dd>
                {when(preflight.createdAt)}
                {preflight.appVersion ? ` by version ${preflight.appVersion}` : ''}
              </dd>
            </div>
            <div className="review-row">
              <dt>Holds</dt>
              <dd>
                {Object.values(preflight.rowCounts).reduce((a, b) => a + b, 0)} database rows in{' '}
                {Object.keys(preflight.rowCounts).length} tables
                {preflight.redisKeys !== undefined
                  ? `, ${preflight.redisKeys} cache keys`
                  : ''},{' '}
                {preflight.contents
                  .map((c) => `${c.path} (${c.files} files, ${bytes(c.bytes)})`)
                  .join(', ')}
              </dd>
            </div>
            <div className="review-row">
              <dt>Size</dt>
              <dd>{bytes(preflight.totalBytes)}</dd>
            </div>
          </dl>
          {preflight.restorable ? (
            <RestoreSteps run={run} steps={restore.steps} />
          ) : (
            <p className="error" role="alert">
              This backup cannot be restored here: {preflight.refusal}
            </p>
          )}
        </>
      )}
      <JobStatus
        run={run}
        success="Restored: MediaNest is running with the data from the backup."
      />
      <div className="wizard-actions">
        {preflight?.restorable && run.phase !== 'running' && run.phase !== 'succeeded' && (
          <button type="button" onClick={() => void startRestore(client)}>
            Restore now
          </button>
        )}
        {run.phase !== 'running' && (
          <button type="button" className="secondary" onClick={cancel}>
            {run.phase === 'succeeded' ? 'Close' : 'Cancel'}
          </button>
        )}
      </div>
    </section>
  );
}
