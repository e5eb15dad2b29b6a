import type { Job, JobState } from '../../contract/stack-routes.js';

/** Job history, durable across restarts (SQLite in infra/store). */
export interface JobRepository {
  insert(job: { id: string; kind: string; startedAt: string }): void;
  progress(id: string, step: string, percent: number | undefined): void;
  finish(
    id: string,
    state: Exclude<JobState, 'running'>,
    finishedAt: string,
    error?: { code: string; message: string },
  ): void;
  get(id: string): Job | undefined;
  list(limit: number): Job[];
  /** Marks every job still "running" as interrupted: only a crash leaves one so. Returns their ids. */
  interruptRunning(finishedAt: string): string[];
}
