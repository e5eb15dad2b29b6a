import type { JobRun } from '../../state/settings-store-job';
import { useExpiringMessage } from '../../state/use-expiring-message';

/** A job's progress while it runs, and how it ended, in place. */
export function JobStatus({ run, success }: { run: JobRun; success: string }) {
  const successShown = useExpiringMessage(run.phase === 'succeeded', run.job?.jobId);
  if (run.phase === 'idle') return null;
  if (run.phase === 'running') {
    return (
      <div className="job-status" aria-busy="true">
        <p role="status">{run.job?.step ?? 'Starting…'}</p>
        <progress max={100} value={run.job?.percent ?? undefined} aria-label="Progress" />
      </div>
    );
  }
  if (run.phase === 'succeeded') {
    if (!successShown) return null;
    return (
      <p className="verdict verdict-ok" role="status">
        {success}
      </p>
    );
  }
  return (
    <p className="error" role="alert">
      {run.error ?? 'It failed for an unknown reason.'}
    </p>
  );
}
