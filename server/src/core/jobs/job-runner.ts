import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../contract/events.js';
import { AppError, toAppError } from '../app-error.js';
import { takeJobLock, type JobLock } from './job-lock.js';
import type { JobRepository } from './job-repository.js';

export interface JobContext {
  readonly jobId: string;
  /** Reports the current step (and how far along, when known) to the history and the event stream. */
  progress(step: string, percent?: number, bytes?: { done: number; total?: number }): void;
}

export interface StartedJob<T> {
  jobId: string;
  /** Settles when the job does: the work's result, or its AppError. */
  done: Promise<T>;
}

/**
 * Runs long operations one at a time per stack: a second one gets a clear "busy" answer naming
 * the running job. Every job is recorded, reports progress as events, and ends in a final state.
 * With a `lock`, each job also holds the home's job lock, so a CLI verb in another process and a
 * job here never run together (either one is told the other is busy).
 */
export class JobRunner {
  private running: { id: string; kind: string; done: Promise<unknown> } | undefined;

  constructor(
    private readonly deps: {
      jobs: JobRepository;
      publish: (event: DomainEvent) => void;
      now: () => Date;
      /** The home's cross-process job lock; without one, jobs are exclusive in this process only. */
      lock?: JobLock;
      /** Runs inside every job, before its work (the clean-up of an interrupted restore). */
      prepare?: (kind: string, ctx: JobContext) => Promise<void>;
    },
  ) {}

  /** Marks jobs a crash left "running" as interrupted; call once at start-up. */
  recover(): string[] {
    return this.deps.jobs.interruptRunning(this.deps.now().toISOString());
  }

  current(): { id: string; kind: string } | undefined {
    return this.running ? { id: this.running.id, kind: this.running.kind } : undefined;
  }

  start<T>(kind: string, work: (ctx: JobContext) => Promise<T>): StartedJob<T> {
    const { jobs, publish, now } = this.deps;
    if (this.running) {
      throw new AppError(
        'busy',
        `Busy with ${this.running.kind} (job ${this.running.id}); try again when it has finished.`,
        {
          jobId: this.running.id,
          kind: this.running.kind,
        },
      );
    }
    const jobId = randomUUID();
    const held = this.deps.lock && takeJobLock(this.deps.lock, { owner: 'server', kind, jobId });
    try {
      jobs.insert({ id: jobId, kind, startedAt: now().toISOString() });
    } catch (error) {
      held?.release();
      throw error;
    }
    const ctx: JobContext = {
      jobId,
      progress: (step, percent, bytes) => {
        jobs.progress(jobId, step, percent);
        publish({
          type: 'job.progressed',
          jobId,
          kind,
          step,
          ...(percent !== undefined ? { percent: Math.max(0, Math.min(100, percent)) } : {}),
          ...(bytes ? { bytes } : {}),
        });
      },
    };
    const done = (async () => {
      try {
        // Only awaited when there is one: without, the work starts synchronously, as callers expect.
        if (this.deps.prepare) await this.deps.prepare(kind, ctx);
        const result = await work(ctx);
        jobs.finish(jobId, 'succeeded', now().toISOString());
        publish({ type: 'job.finished', jobId, kind, outcome: 'succeeded' });
        return result;
      } catch (error) {
        const appError = toAppError(error);
        const failure = { code: appError.code, message: appError.message };
        jobs.finish(jobId, 'failed', now().toISOString(), failure);
        publish({ type: 'job.finished', jobId, kind, outcome: 'failed', error: failure });
        throw appError;
      } finally {
        held?.release();
        this.running = undefined;
      }
    })();
    // The caller may not wait (an API request returns at once); the history holds the outcome.
    done.catch(() => undefined);
    this.running = { id: jobId, kind, done };
    return { jobId, done };
  }

  /** Waits for the running job, if any (used when stopping cleanly). */
  async settle(): Promise<void> {
    await this.running?.done.catch(() => undefined);
  }
}
