import type {
  ApiClient,
  JobAccepted,
  JobOutcome,
  ServerEvent,
  StackProgress,
} from '../../../server/src/contract/index.js';
import { connectApi } from '../api';

/** A job as the pages show it while it runs and once it ended. */
export interface JobView {
  jobId: string;
  kind: string;
  step?: string;
  percent?: number;
  bytes?: { done: number; total?: number };
  outcome?: JobOutcome;
  error?: { code: string; message: string };
}

export interface JobWatcher {
  onJob: (job: JobView) => void;
  onStack?: (progress: StackProgress) => void;
}

const POLL_MS = 2_000;

const OUTCOME = {
  succeeded: 'succeeded',
  failed: 'failed',
  interrupted: 'interrupted',
} as const satisfies Record<string, JobOutcome>;

/**
 * Starts a job and follows it to its end: live from the event stream (subscribed before the job
 * starts, so no early progress is missed), and from `GET /api/jobs/:id` every few seconds, so a
 * stream that drops or reconnects never leaves the page waiting forever. Resolves with the job's
 * final view; rejects only when the job could not start (a refused request keeps its ApiError).
 */
export async function runJob(
  client: ApiClient,
  start: () => Promise<JobAccepted>,
  watcher: JobWatcher,
): Promise<JobView> {
  const connection = await connectApi();
  let job: JobView | undefined;
  const early: ServerEvent[] = [];
  let finish: (view: JobView) => void = () => undefined;
  const finished = new Promise<JobView>((resolve) => (finish = resolve));

  const update = (patch: Partial<JobView>) => {
    if (!job || job.outcome) return;
    job = { ...job, ...patch };
    watcher.onJob(job);
    if (job.outcome) finish(job);
  };
  const handle = (event: ServerEvent) => {
    if (!job) {
      early.push(event);
      return;
    }
    if (event.type === 'job.progressed' && event.jobId === job.jobId) {
      update({
        step: event.step,
        ...(event.percent !== undefined ? { percent: event.percent } : {}),
        ...(event.bytes ? { bytes: event.bytes } : {}),
      });
    } else if (event.type === 'job.finished' && event.jobId === job.jobId) {
      update({ outcome: event.outcome, ...(event.error ? { error: event.error } : {}) });
    } else if (event.type === 'stack.progressed' && event.jobId === job.jobId) {
      watcher.onStack?.(event.progress);
    }
  };
  const subscription = connection.subscribe((event) => handle(event));
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const accepted = await start();
    job = { jobId: accepted.jobId, kind: accepted.kind };
    watcher.onJob(job);
    for (const event of early.splice(0)) handle(event);
    timer = setInterval(() => {
      void client
        .job({ id: accepted.jobId })
        .then((state) => {
          if (state.state === 'running') {
            update({
              ...(state.step ? { step: state.step } : {}),
              ...(state.percent !== null ? { percent: state.percent } : {}),
            });
          } else {
            update({
              outcome: OUTCOME[state.state],
              ...(state.error ? { error: state.error } : {}),
            });
          }
        })
        .catch(() => undefined);
    }, POLL_MS);
    return await finished;
  } finally {
    clearInterval(timer);
    subscription.close();
  }
}

export interface JobRun {
  phase: 'idle' | 'running' | 'succeeded' | 'failed';
  job?: JobView;
  /** The server's words when it failed (for settings: whether the old settings were restored). */
  error?: string;
}

export const IDLE: JobRun = { phase: 'idle' };

/** Runs a job and reports it as a JobRun through `report`. */
export async function follow(
  client: ApiClient,
  start: () => Promise<JobAccepted>,
  report: (run: JobRun) => void,
): Promise<JobRun> {
  const job = await runJob(client, start, {
    onJob: (view) => report({ phase: 'running', job: view }),
  });
  const run: JobRun = {
    phase: job.outcome === 'succeeded' ? 'succeeded' : 'failed',
    job,
    ...(job.error ? { error: job.error.message } : {}),
  };
  report(run);
  return run;
}
