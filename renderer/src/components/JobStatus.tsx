import type { JobView } from '../state/live-store';
import { useExpiringMessage } from '../state/use-expiring-message';

const WHAT_TO_DO: Record<string, string> = {
  busy: 'Another operation is running: wait for it to finish, then try again.',
  engine_unavailable: 'Docker is not reachable: start it, then try again.',
};

/**
 * A job in place: its step and progress while it runs; how it ended, and what to do if it failed.
 * Success shows for a few seconds; a failure stays.
 */
export function JobStatus({ job }: { job: JobView }) {
  const doneShown = useExpiringMessage(job.outcome === 'succeeded', job.id);
  if (job.outcome === 'running') {
    return (
      <div className="job" role="status" aria-live="polite" data-job={job.kind}>
        <span>
          {job.kind}: {job.step || 'working'}…
        </span>
        <progress max={100} value={job.percent} aria-label={`${job.kind} progress`} />
      </div>
    );
  }
  if (job.outcome === 'succeeded') {
    if (!doneShown) return null;
    return (
      <p className="job job-ok" role="status" data-job={job.kind}>
        {job.kind}: done.
      </p>
    );
  }
  return (
    <div className="job job-fail" role="alert" data-job={job.kind}>
      <p>
        <strong>
          {job.kind} {job.outcome}:
        </strong>{' '}
        {job.error?.message ?? 'no reason given'}
      </p>
      <p className="fix">
        What to do:{' '}
        {WHAT_TO_DO[job.error?.code ?? ''] ??
          'check the service’s logs for the cause, fix it, then try again.'}
      </p>
    </div>
  );
}
