import { RESTORE_STEPS, stopwatch, type RestoreSteps as Position } from '../../state/restore-steps';
import type { JobRun } from '../../state/job-view';
import { useNow } from '../../state/use-now';
import { StepList, type StepState } from '../ui/StepList';

/**
 * The six steps of a restore: before it runs, what will happen; while it runs, the current one
 * highlighted with its time so far (a restore takes minutes, and one unchanging line looks stuck);
 * once it ended, which were done and, on failure, where it stopped.
 */
export function RestoreSteps({ run, steps }: { run: JobRun; steps: Position | undefined }) {
  const running = run.phase === 'running';
  const now = useNow(running);
  const current = steps?.step ?? 0;
  const stateOf = (i: number): StepState | undefined => {
    if (run.phase === 'idle') return undefined;
    if (run.phase === 'succeeded') return i === RESTORE_STEPS.length - 1 ? 'not-needed' : 'done';
    if (i < current) return 'done';
    if (i > current) return 'upcoming';
    return run.phase === 'failed' ? 'failed' : 'current';
  };
  return (
    <div className="safety">
      <h3>{running ? 'Restoring' : 'What happens'}</h3>
      {running && steps && (
        <p className="muted" role="timer" aria-label="Time so far">
          Step {current + 1} of {RESTORE_STEPS.length}, {stopwatch(now - steps.startedAt)} so far
        </p>
      )}
      <StepList
        className="restore-steps"
        steps={RESTORE_STEPS.map((text, i) => {
          const state = stateOf(i);
          const time =
            state === 'current' && steps ? `, ${stopwatch(now - steps.stepStartedAt)} so far` : '';
          return { text, state, time };
        })}
      />
    </div>
  );
}
