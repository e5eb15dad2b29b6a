import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import type { JobContext, JobRunner } from '../core/jobs/job-runner.js';
import type { UpdateApplier } from '../core/updates/update-apply.js';
import { updateApplyHandlers } from './update-apply-routes.js';

const req = {} as Request;
const res = {} as Response;

function setup(fails = false) {
  const calls: unknown[] = [];
  const steps: string[] = [];
  const runs: Array<Promise<unknown>> = [];
  const runner: Pick<JobRunner, 'start'> = {
    start: <T>(kind: string, work: (ctx: JobContext) => Promise<T>) => {
      calls.push(['job', kind]);
      const done = work({ jobId: 'job-1', progress: (step) => steps.push(step) });
      runs.push(done);
      return { jobId: 'job-1', done };
    },
  };
  const applier = {
    apply: async (request: unknown, progress: (step: string) => void) => {
      calls.push(['apply', request]);
      progress('Preflight: free space');
      if (fails) throw new Error('rolled back: backend did not become healthy');
    },
    rollbackLast: async () => calls.push(['rollback']),
  } as unknown as UpdateApplier;
  const handlers = updateApplyHandlers({
    runner,
    images: () => ({ backend: 'mn/backend:1', migrate: 'mn/backend:1', frontend: 'mn/frontend:1' }),
    history: () => [],
    applier: async () => applier,
    imagesChanged: () => calls.push(['asked again']),
  });
  return { handlers, calls, steps, runs };
}

describe('the update job routes', () => {
  it('starts an update job with the backend and its migrations moving together', async () => {
    const { handlers, calls, steps, runs } = setup();
    const accepted = await handlers.updatesApply({ service: 'backend', to: '2' }, req, res);
    await Promise.all(runs);
    expect(accepted).toEqual({ jobId: 'job-1', kind: 'update' });
    expect(calls).toEqual([
      ['job', 'update'],
      ['apply', { images: { backend: 'mn/backend:2', migrate: 'mn/backend:2' }, target: '2' }],
      // The answers about what runs are asked again: the old ones would offer version 2 still.
      ['asked again'],
    ]);
    expect(steps).toEqual(['Preflight: free space']);
  });

  it('refuses a target that is no image before any job starts', async () => {
    const { handlers, calls } = setup();
    await expect(
      handlers.updatesApply({ service: 'frontend', to: 'not a tag' }, req, res),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(calls).toEqual([]);
  });

  it('runs the rollback as an update job', async () => {
    const { handlers, calls, runs } = setup();
    await handlers.updatesRollback(undefined, req, res);
    await Promise.all(runs);
    expect(calls).toEqual([['job', 'update'], ['rollback'], ['asked again']]);
  });

  it('asks nothing again after an update that was rolled back (the images are as before)', async () => {
    const { handlers, calls, runs } = setup(true);
    await handlers.updatesApply({ service: 'backend', to: '2' }, req, res);
    await Promise.allSettled(runs);
    expect(calls.map((c) => (c as string[])[0])).toEqual(['job', 'apply']);
  });
});
