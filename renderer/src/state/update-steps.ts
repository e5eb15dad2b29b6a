import type { UpdateRecord } from '@contract';
import type { JobRun } from './job-view';

/**
 * The steps the card lists while an update runs, and which one a progress line of the job belongs
 * to. The server reports finer lines (core/updates/update-apply.ts); the user sees these, one
 * highlighted. The last is only reached when the new version failed.
 */
export const UPDATE_STEPS = [
  'Preflight: free space, the new images, their migrations (the running version keeps serving)',
  'Safety snapshot, with MediaNest stopped so nothing written is lost',
  'The new version: migrations, new containers, health check',
  'Committed: the update is recorded',
  'Rolling back to the previous version',
] as const;

export const ROLLBACK_STEP = UPDATE_STEPS.length - 1;

/** Server progress lines, by how they begin, and the listed step each is part of. */
const STEP_OF: ReadonlyArray<[prefix: string, index: number]> = [
  ['Preflight', 0],
  ['Pulling', 0],
  ['Stopping the app', 1],
  ['Safety snapshot', 1],
  ['Rendering the stack', 2],
  ['Restoring the database', 2],
  ['Restore:', 2],
  ['Migrations, new containers', 2],
  ['Checking that the new version answers', 2],
  ['Committing', 3],
  ['Updated', 3],
  ['Rolling back', ROLLBACK_STEP],
];

/** The index in UPDATE_STEPS of a progress line; a line this version does not know keeps `previous`. */
export function updateStepOf(line: string | undefined, previous = 0): number {
  if (!line) return previous;
  return STEP_OF.find(([prefix]) => line.startsWith(prefix))?.[1] ?? previous;
}

/** What the user asked for: an update of `service` to `to`, or the rollback of the last one. */
export interface UpdateAsked {
  kind: 'update' | 'rollback';
  service: string;
  /** The versions in the card's words (`v1`, `v2`). */
  from: string;
  to: string;
}

/** How an update ended, in the terms the card speaks to the user in. */
export type UpdateOutcome =
  | { kind: 'updated'; to: string }
  /** The new version failed; the previous one runs again with the data from before. */
  | { kind: 'rolled-back'; reason: string; record: UpdateRecord }
  /** The rollback failed too: the safety snapshot holds the state from before. */
  | { kind: 'rollback-failed'; reason: string; record: UpdateRecord }
  /** Refused before anything changed (preflight, another job running, a bad target). */
  | { kind: 'not-started'; reason: string };

/**
 * The outcome of a finished run. A failed job is matched with the history record whose reason its
 * error carries (the server puts the record's reason in the job's error): without one, the update
 * stopped before it changed anything.
 */
export function updateOutcome(
  run: JobRun,
  asked: UpdateAsked,
  history: readonly UpdateRecord[],
): UpdateOutcome | undefined {
  if (run.phase === 'succeeded') return { kind: 'updated', to: asked.to };
  if (run.phase !== 'failed') return undefined;
  const error = run.error ?? 'no reason was given';
  const record = history.find(
    (r) => r.result !== 'succeeded' && r.reason !== undefined && error.includes(r.reason),
  );
  if (record?.result === 'rolled-back')
    return { kind: 'rolled-back', reason: record.reason ?? error, record };
  if (record?.result === 'failed')
    return { kind: 'rollback-failed', reason: record.reason ?? error, record };
  return { kind: 'not-started', reason: error };
}

/**
 * A reason in two parts: its first line, a sentence, and what follows it (the failing program's
 * last output, many lines of it), shown apart so the sentence stays readable.
 */
export function reasonParts(reason: string): { summary: string; detail: string | undefined } {
  const [summary = '', ...rest] = reason.split('\n');
  const lines = rest.map((line) => line.trimEnd());
  const indent = Math.min(
    ...lines.filter(Boolean).map((line) => line.length - line.trimStart().length),
  );
  const detail = lines
    .map((line) => line.slice(indent))
    .join('\n')
    .trim();
  return { summary: summary.trim(), detail: detail || undefined };
}
