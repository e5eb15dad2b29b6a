import { Link } from '../../router';
import {
  reasonParts,
  ROLLBACK_STEP,
  UPDATE_STEPS,
  type UpdateOutcome,
} from '../../state/update-steps';
import type { UpdateFlow } from '../../state/updates-store';
import { StepList, type StepState } from '../ui/StepList';

/** Each listed step's state while the job runs, or once it ended without an outcome yet. */
function stepStates(flow: Pick<UpdateFlow, 'run' | 'step' | 'failedAt'>): StepState[] {
  const { run, step, failedAt } = flow;
  const ended = run.phase === 'succeeded' || run.phase === 'failed';
  return UPDATE_STEPS.map((_, i): StepState => {
    if (failedAt !== undefined && i < ROLLBACK_STEP) {
      if (i < failedAt) return 'done';
      return i === failedAt ? 'failed' : 'skipped';
    }
    if (i < step) return 'done';
    if (i > step) return 'upcoming';
    if (!ended) return 'current';
    return run.phase === 'failed' ? 'failed' : 'done';
  });
}

/** The job's steps, the server's own line and the progress bar, while an update runs. */
export function UpdateProgress({
  title,
  flow,
}: {
  title: string;
  flow: Pick<UpdateFlow, 'run' | 'step' | 'failedAt'>;
}) {
  const states = stepStates(flow);
  const job = flow.run.job;
  const rolling = flow.failedAt !== undefined || flow.step === ROLLBACK_STEP;
  return (
    <div className="update-run" aria-busy={flow.run.phase === 'running'}>
      <h3>{title}</h3>
      <p role="status" aria-live="polite" data-field="update-step">
        {job?.step ? reasonParts(job.step).summary : 'Starting…'}
      </p>
      <progress max={100} value={job?.percent} aria-label="Update progress" />
      <StepList
        className="update-steps"
        itemClass="update-step"
        // The rollback is listed only once it happens: it is no step of an update that works.
        steps={UPDATE_STEPS.flatMap((text, i) =>
          i === ROLLBACK_STEP && !rolling ? [] : [{ text, state: states[i] ?? 'upcoming' }],
        )}
      />
    </div>
  );
}

/** Why, in one sentence, and the failing program's last lines under it when there are any. */
function Reason({ reason }: { reason: string }) {
  const { summary, detail } = reasonParts(reason);
  return (
    <>
      <p data-field="reason">Why: {summary}</p>
      {detail && (
        <pre className="update-reason-log" aria-label="Its last output">
          {detail}
        </pre>
      )}
    </>
  );
}

/**
 * How it ended: the new version runs; or it did not work and the previous one runs again with its
 * data as before (why, from the history); or even that failed, and where the data from before is.
 */
export function UpdateOutcomeMessage({
  outcome,
  asked,
}: {
  outcome: UpdateOutcome;
  asked: UpdateFlow['asked'];
}) {
  const what = asked.kind === 'rollback' ? 'rollback' : 'update';
  switch (outcome.kind) {
    case 'updated':
      return (
        <p className="verdict verdict-ok" role="status" data-outcome="updated">
          {asked.kind === 'rollback' ? 'Rolled back to' : 'Updated to'} {outcome.to}:{' '}
          {asked.service} runs it now and answers.
        </p>
      );
    case 'rolled-back':
      return (
        <div className="update-rolled-back" role="alert" data-outcome="rolled-back">
          <p>
            <strong>
              The {what} to {asked.to} did not work, so it was rolled back.
            </strong>{' '}
            MediaNest runs the previous version ({asked.from}) with its data as before.
          </p>
          <Reason reason={outcome.reason} />
          {outcome.record.snapshotId && (
            <p className="muted">
              The safety snapshot taken before it stays in <Link href="/backups">Backups</Link>.
            </p>
          )}
        </div>
      );
    case 'rollback-failed':
      return (
        <div className="update-failed error" role="alert" data-outcome="rollback-failed">
          <p>
            The {what} to {asked.to} failed, and going back to {asked.from} failed too.
          </p>
          <Reason reason={outcome.reason} />
          <p>
            Your data from before is in the safety snapshot
            {outcome.record.snapshotId ? ` ${outcome.record.snapshotId}` : ''}: restore it from{' '}
            <Link href="/backups">Backups</Link>.
          </p>
        </div>
      );
    case 'not-started':
      return (
        <p className="error" role="alert" data-outcome="not-started">
          The {what} to {asked.to} was not made: {outcome.reason}
          {/nothing was changed/i.test(outcome.reason)
            ? ''
            : ` Nothing was changed: ${asked.service} still runs ${asked.from}.`}
        </p>
      );
  }
}
