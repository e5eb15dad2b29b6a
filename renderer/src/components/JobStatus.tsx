import { runOf, type JobRun, type JobView } from '../state/job-view';
import { useExpiringMessage } from '../state/use-expiring-message';

const WHAT_TO_DO: Record<string, string> = {
  busy: 'Another operation is running: wait for it to finish, then try again.',
  engine_unavailable: 'Docker is not reachable: start it, then try again.',
};

/**
 * A job in place: its step and progress while it runs; how it ended, and what to do if it failed.
 * Success shows for a few seconds; a failure stays.
 *
 * Given a `job`, it is the dashboard's job line and names the job (any job may be shown there).
 * Given a `run` and its `success` words, it stands under the form that asked for the job, which
 * already says what the job is.
 */
export function JobStatus(props: { job: JobView } | { run: JobRun; success: string }) {
  const run = 'job' in props ? runOf(props.job) : props.run;
  const successShown = useExpiringMessage(run.phase === 'succeeded', run.job?.id);
  if (run.phase === 'idle' || (run.phase === 'succeeded' && !successShown)) return null;
  if ('job' in props) return <JobLine job={props.job} />;
  return <FormJob run={run} success={props.success} />;
}

function JobLine({ job }: { job: JobView }) {
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

function FormJob({ run, success }: { run: JobRun; success: string }) {
  if (run.phase === 'running') {
    return (
      <div className="job-status" aria-busy="true">
        <p role="status">{run.job?.step || 'Starting…'}</p>
        <progress max={100} value={run.job?.percent} aria-label="Progress" />
      </div>
    );
  }
  if (run.phase === 'succeeded') {
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
