import { RESTORE_STEPS, stopwatch, type RestoreSteps as Position } from '../../state/restore-steps';
import type { JobRun } from '../../state/job-view';
import { useNow } from '../../state/use-now';

type StepState = 'done' | 'current' | 'upcoming' | 'failed' | 'not-needed';

const STATE_WORDS: Record<StepState, string> = {
  done: 'done',
  current: 'now',
  upcoming: '',
  failed: 'failed here',
  'not-needed': 'not needed',
};

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
    <div className="safety restore-steps">
      <h3>{running ? 'Restoring' : 'What happens'}</h3>
      {running && steps && (
        <p className="muted" role="timer" aria-label="Time so far">
          Step {current + 1} of {RESTORE_STEPS.length}, {stopwatch(now - steps.startedAt)} so far
        </p>
      )}
      <ol>
        {RESTORE_STEPS.map((text, i) => {
          const state = stateOf(i);
          const words = state ? STATE_WORDS[state] : '';
          const time =
            state === 'current' && steps ? `, ${stopwatch(now - steps.stepStartedAt)} so far` : '';
          return (
            <li
              key={text}
              data-state={state}
              aria-current={state === 'current' ? 'step' : undefined}
              className={state ? `restore-step restore-step-${state}` : undefined}
            >
              {text}
              {words && (
                <span className="restore-step-state">
                  {' '}
                  ({words}
                  {time})
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
