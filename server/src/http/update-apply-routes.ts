import type { UpdateRecord } from '../contract/update-apply-routes.js';
import type { updateApplyRoutes } from '../contract/update-apply-routes.js';
import type { JobRunner } from '../core/jobs/job-runner.js';
import type { UpdateApplier } from '../core/updates/update-apply.js';
import { updateImages } from '../core/updates/update-target.js';
import type { HandlersOf } from './routes.js';

export interface UpdateApplyRouteDeps {
  runner: Pick<JobRunner, 'start'>;
  /** The images the stack is configured with (`conflict` before an install). */
  images: () => Record<string, string>;
  history: () => UpdateRecord[];
  /** The applier for one job, its stack progress published under the job's id. */
  applier: (jobId: string) => Promise<UpdateApplier>;
  /**
   * After an update or a rollback that changed the images: the update answers still describe the
   * images before it (and would offer the version just installed) until they are asked again.
   */
  imagesChanged?: () => void;
}

/**
 * An update (or the rollback to the version before) runs as a job of kind `update`: the request
 * answers with its id at once, a bad target answers 422 before any job starts; the history and
 * the job's events hold the outcome (a rollback by itself fails the job with the reason).
 */
export function updateApplyHandlers(
  deps: UpdateApplyRouteDeps,
): HandlersOf<typeof updateApplyRoutes> {
  const start = (
    work: (
      applier: UpdateApplier,
      progress: (step: string, percent?: number) => void,
    ) => Promise<unknown>,
  ) => {
    const { jobId } = deps.runner.start('update', async (ctx) => {
      const result = await work(await deps.applier(ctx.jobId), (step, percent) =>
        ctx.progress(step, percent),
      );
      deps.imagesChanged?.();
      return result;
    });
    return { jobId, kind: 'update' };
  };
  return {
    updatesApply: async ({ service, to }) => {
      const images = updateImages(deps.images(), service, to);
      return start((applier, progress) => applier.apply({ images, target: to }, progress));
    },
    updatesRollback: async () => start((applier, progress) => applier.rollbackLast(progress)),
    updatesHistory: async () => deps.history(),
  };
}
