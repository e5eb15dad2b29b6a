import { describe, expect, it } from 'vitest';
import type { Job } from '@contract';
import { acceptedJob, jobCaughtUp, jobFinished, jobProgressed, runOf } from './job-view';

const read = (patch: Partial<Job>): Job => ({
  id: 'j1',
  kind: 'backup',
  state: 'running',
  step: null,
  percent: null,
  startedAt: '2026-12-07T12:00:00.000Z',
  finishedAt: null,
  error: null,
  ...patch,
});

describe('a job view', () => {
  it('keeps the percent and bytes a progress event leaves out, and the last step once ended', () => {
    const first = jobProgressed(undefined, {
      type: 'job.progressed',
      jobId: 'j1',
      kind: 'backup',
      step: 'Writing',
      percent: 30,
      bytes: { done: 10, total: 100 },
    });
    const next = jobProgressed(first, {
      type: 'job.progressed',
      jobId: 'j1',
      kind: 'backup',
      step: 'Checking',
    });
    expect(next).toMatchObject({ step: 'Checking', percent: 30, bytes: { done: 10, total: 100 } });
    const ended = jobFinished(next, {
      type: 'job.finished',
      jobId: 'j1',
      kind: 'backup',
      outcome: 'failed',
      error: { code: 'internal', message: 'disk full' },
    });
    expect(ended).toMatchObject({ step: 'Checking', percent: 30, outcome: 'failed' });
    expect(runOf(ended)).toEqual({ phase: 'failed', job: ended, error: 'disk full' });
  });

  it('catches up from a read of the job, but never undoes an end the stream told', () => {
    const running = acceptedJob('j1', 'backup');
    expect(jobCaughtUp(running, read({ step: 'Writing', percent: 50 }))).toMatchObject({
      step: 'Writing',
      percent: 50,
      outcome: 'running',
    });
    // Nothing new read: the very same view (a page shows nothing twice).
    expect(jobCaughtUp(running, read({}))).toBe(running);
    const failed = jobCaughtUp(
      running,
      read({ state: 'failed', error: { code: 'internal', message: 'disk full' } }),
    );
    expect(failed).toMatchObject({ outcome: 'failed', error: { message: 'disk full' } });
    const succeeded = { ...running, outcome: 'succeeded' as const };
    expect(jobCaughtUp(succeeded, read({ step: 'Writing' }))).toBe(succeeded);
  });
});
