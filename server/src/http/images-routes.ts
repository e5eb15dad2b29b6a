import type { z } from 'zod';
import type { imagesRoutes } from '../contract/images-routes.js';
import type { ImageProgress } from '../core/images/image-progress.js';
import type { ImageSourceService } from '../core/images/image-source-service.js';
import type { JobContext, JobRunner } from '../core/jobs/job-runner.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import type { StackService } from '../core/stack/stack-service.js';

export interface ImagesRouteDeps {
  images: () => ImageSourceService;
  /** The stack whose images `imagesCheck` reads. */
  stack: () => Pick<StackService, 'checkImages'>;
  /** The settings a check's `changes` would give (validated per field, nothing saved). */
  settings: () => Pick<SettingsService, 'proposed'>;
  runner: JobRunner;
  /** Shortest gap between two forwarded output lines (default 250 ms); steps always pass. */
  outputIntervalMs?: number;
  now?: () => number;
}

type ImagesRoutes = typeof imagesRoutes;
type ImagesHandlers = {
  [N in keyof ImagesRoutes]: (
    input: z.infer<ImagesRoutes[N]['input']>,
  ) => Promise<z.infer<ImagesRoutes[N]['output']>>;
};

/**
 * Image progress into the job's history and events. A build can print thousands of lines; each
 * would be a history write and an event in every client's replay buffer, so output lines are
 * sampled while steps, byte counts and phases all go through.
 */
export function jobProgress(
  ctx: JobContext,
  intervalMs: number,
  now: () => number,
): (progress: ImageProgress) => void {
  let lastOutput = -Infinity;
  return (progress) => {
    if (progress.kind === 'output') {
      if (now() - lastOutput < intervalMs) return;
      lastOutput = now();
    }
    ctx.progress(progress.step, progress.percent, 'bytes' in progress ? progress.bytes : undefined);
  };
}

export function imagesHandlers(deps: ImagesRouteDeps): ImagesHandlers {
  const forward = (ctx: JobContext) =>
    jobProgress(ctx, deps.outputIntervalMs ?? 250, deps.now ?? Date.now);
  return {
    imagesBuild: async (input) => {
      const service = deps.images();
      const options = {
        sourceDir: input.sourceDir,
        services: input.services,
        builder: input.builder,
        ...(input.dockerfile !== undefined ? { dockerfile: input.dockerfile } : {}),
        ...(input.images ? { images: input.images } : {}),
        ...(input.buildArgs ? { buildArgs: input.buildArgs } : {}),
      };
      // A refused folder or Dockerfile answers 422 now, per field, before a job starts.
      await service.checkBuild(options);
      const { jobId } = deps.runner.start('image-build', (ctx) =>
        service.build(options, forward(ctx)),
      );
      return { jobId, kind: 'image-build' };
    },
    imagesLoad: async ({ archive }) => {
      const service = deps.images();
      await service.checkLoad(archive);
      const { jobId } = deps.runner.start('image-load', (ctx) =>
        service.load(archive, forward(ctx)),
      );
      return { jobId, kind: 'image-load' };
    },
    imagesCheck: async ({ changes }) =>
      deps.stack().checkImages(changes ? deps.settings().proposed(changes) : undefined),
  };
}
