import type { JobAccepted, ServerEvent, StackProgress } from '@contract';
import { runOf, type JobRun, type JobView } from './job-view';
import { onServerEvent, useLiveStore } from './live-store';

export interface JobWatcher {
  onJob: (job: JobView) => void;
  onStack?: (progress: StackProgress) => void;
}

type StackProgressed = Extract<ServerEvent, { type: 'stack.progressed' }>;

/**
 * Starts a job and follows it to its end on the page's one event stream (the live store's, which
 * reads the job once more whenever the stream was away). Resolves with the job's final view;
 * rejects only when the job could not start (a refused request keeps its ApiError).
 */
export async function runJob(
  start: () => Promise<JobAccepted>,
  watcher: JobWatcher,
): Promise<JobView> {
  let jobId: string | undefined;
  // Stack progress may arrive before the request that started the job has answered.
  const early: StackProgressed[] = [];
  const stopStack = onServerEvent((event) => {
    if (event.type !== 'stack.progressed') return;
    if (jobId === undefined) early.push(event);
    else if (event.jobId === jobId) watcher.onStack?.(event.progress);
  });
  try {
    const accepted = await start();
    jobId = accepted.jobId;
    for (const event of early.splice(0))
      if (event.jobId === jobId) watcher.onStack?.(event.progress);
    useLiveStore.getState().trackJob(accepted);
    return await new Promise<JobView>((resolve) => {
      let shown: JobView | undefined;
      const stop = useLiveStore.subscribe(({ jobs }) => show(jobs[accepted.jobId]));
      const show = (view: JobView | undefined) => {
        if (!view || view === shown) return;
        shown = view;
        watcher.onJob(view);
        if (view.outcome === 'running') return;
        stop();
        resolve(view);
      };
      show(useLiveStore.getState().jobs[accepted.jobId]);
    });
  } finally {
    stopStack();
  }
}

/** Runs a job and reports it as a JobRun through `report`. */
export async function follow(
  start: () => Promise<JobAccepted>,
  report: (run: JobRun) => void,
): Promise<JobRun> {
  const job = await runJob(start, {
    onJob: (view) => report({ phase: 'running', job: view }),
  });
  const run = runOf(job);
  report(run);
  return run;
}
