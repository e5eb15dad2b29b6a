import './step-list.css';

/** Where a step of a job stands; `undefined`: the job has not started, only the list is shown. */
export type StepState = 'done' | 'current' | 'upcoming' | 'failed' | 'skipped' | 'not-needed';

const STATE_WORDS: Record<StepState, string> = {
  done: 'done',
  current: 'now',
  upcoming: '',
  failed: 'failed here',
  skipped: 'not reached',
  'not-needed': 'not needed',
};

export interface Step {
  text: string;
  state: StepState | undefined;
  /** After the state's words, e.g. `, 1:05 so far` on the current step. */
  time?: string;
}

/**
 * A job's steps (a restore's, an update's): the current one stands out, done ones recede, and
 * every state also has words (colour is never alone).
 */
export function StepList({
  steps,
  className,
  itemClass,
}: {
  steps: Step[];
  className: string;
  /** On each step (what end-to-end tests find a step by). */
  itemClass?: string;
}) {
  return (
    <ol className={`step-list ${className}`}>
      {steps.map(({ text, state, time }) => {
        const words = state ? STATE_WORDS[state] : '';
        return (
          <li
            key={text}
            className={itemClass}
            data-state={state}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            {text}
            {words && (
              <span className="step-state">
                {' '}
                ({words}
                {time})
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
