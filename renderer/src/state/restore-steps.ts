/**
 * The six steps the restore panel lists, and which of them a job's progress line belongs to. The
 * server reports finer steps (restore-service.ts); the user sees these six, one highlighted.
 */
export const RESTORE_STEPS = [
  'PostgreSQL and Redis are started if they are stopped, and the backup is checked again, every part of it.',
  'A safety backup of MediaNest as it is now is made first, while the backup is unpacked beside the current data.',
  'MediaNest stops for a few minutes; the server and this page stay up.',
  'The restored data is swapped in for the current data.',
  'MediaNest starts and must come up healthy.',
  'If anything fails, the safety backup is put back: nothing is lost.',
] as const;

/** Server progress lines, by how they begin, and the listed step each is part of. */
const STEP_OF: ReadonlyArray<[prefix: string, index: number]> = [
  ['Installing the stack', 0],
  ['Starting PostgreSQL and Redis', 0],
  ['Verifying the archive', 0],
  ['Safety snapshot', 1],
  ['Restoring the database into staging', 1],
  ['Extracting files into staging', 1],
  ['Staging the database and files', 1],
  ['Staged', 1],
  ['Stopping the app', 2],
  ['Swapping in the restored data', 3],
  ['Starting the app', 4],
  ['Committing', 4],
  ['Restored', 4],
  ['Rolling back', 5],
];

/**
 * The index in RESTORE_STEPS of a progress line; the first step before any line has arrived. A
 * line this version does not know keeps the step it was at (`previous`).
 */
export function restoreStepOf(line: string | undefined, previous = 0): number {
  if (line === undefined) return previous;
  return STEP_OF.find(([prefix]) => line.startsWith(prefix))?.[1] ?? previous;
}

/** Where a running restore is: its listed step, and since when (ms since the epoch). */
export interface RestoreSteps {
  step: number;
  startedAt: number;
  stepStartedAt: number;
}

/** The next position after a progress line (`line`) arrived at `at`. */
export function advanceRestoreSteps(
  previous: RestoreSteps | undefined,
  line: string | undefined,
  at: number,
): RestoreSteps {
  const step = restoreStepOf(line, previous?.step ?? 0);
  return {
    step,
    startedAt: previous?.startedAt ?? at,
    stepStartedAt: previous && previous.step === step ? previous.stepStartedAt : at,
  };
}

/** "0:07", "12:34", "1:02:03": time so far, the way a stopwatch shows it. */
export function stopwatch(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
