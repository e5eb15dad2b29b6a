import type { Job, JobOutcome, ServerEvent } from '@contract';

/** A job as every page shows it: while it runs and once it ended. */
export interface JobView {
  id: string;
  kind: string;
  /** The step it is at, in the server's words; empty until the first one arrives. */
  step: string;
  percent: number | undefined;
  bytes?: { done: number; total?: number };
  outcome: 'running' | JobOutcome;
  error: { code: string; message: string } | undefined;
}

type Progressed = Extract<ServerEvent, { type: 'job.progressed' }>;
type Finished = Extract<ServerEvent, { type: 'job.finished' }>;

/** A job the server has just accepted, before anything about it arrived. */
export const acceptedJob = (id: string, kind: string, step = ''): JobView => ({
  id,
  kind,
  step,
  percent: undefined,
  outcome: 'running',
  error: undefined,
});

/** The view after a `job.progressed` event: a percent or byte count not sent stays as it was. */
export function jobProgressed(prev: JobView | undefined, event: Progressed): JobView {
  const bytes = event.bytes ?? prev?.bytes;
  return {
    id: event.jobId,
    kind: event.kind,
    step: event.step,
    percent: event.percent ?? prev?.percent,
    ...(bytes ? { bytes } : {}),
    outcome: 'running',
    error: undefined,
  };
}

/** The view after `job.finished`: the last step and progress stay in view. */
export function jobFinished(prev: JobView | undefined, event: Finished): JobView {
  return {
    ...(prev ?? acceptedJob(event.jobId, event.kind)),
    kind: event.kind,
    outcome: event.outcome,
    error: event.error,
  };
}

/**
 * The view after reading the job itself (`GET /api/jobs/:id`), for what the stream missed while it
 * was away. An end already seen stays: the stream's word is never older than this answer.
 */
export function jobCaughtUp(prev: JobView | undefined, job: Job): JobView {
  const base = prev ?? acceptedJob(job.id, job.kind);
  if (base.outcome !== 'running') return base;
  if (job.state === 'running') {
    const step = job.step || base.step;
    const percent = job.percent ?? base.percent;
    // Nothing new: the same view, so nobody shows it twice.
    return step === base.step && percent === base.percent ? base : { ...base, step, percent };
  }
  return { ...base, outcome: job.state, error: job.error ?? undefined };
}

/** A job a page asked for, as that page shows it: not asked yet, running, or how it ended. */
export interface JobRun {
  phase: 'idle' | 'running' | 'succeeded' | 'failed';
  job?: JobView;
  /** The server's words when it failed (for settings: whether the old settings were restored). */
  error?: string;
}

export const IDLE: JobRun = { phase: 'idle' };

/** The run a job view stands for. */
export function runOf(job: JobView): JobRun {
  if (job.outcome === 'running') return { phase: 'running', job };
  return {
    phase: job.outcome === 'succeeded' ? 'succeeded' : 'failed',
    job,
    ...(job.error ? { error: job.error.message } : {}),
  };
}
