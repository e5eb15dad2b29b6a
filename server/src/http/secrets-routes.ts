import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteDef } from '../contract/route-def.js';
import type { secretsRoutes } from '../contract/secrets-routes.js';
import type { JobRunner } from '../core/jobs/job-runner.js';
import type { SecretsService } from '../core/secrets/rotation-service.js';

export interface SecretsRouteDeps {
  /** The secrets of this home; `jobId` given, the stack's progress is reported into that job. */
  secrets: (jobId?: string) => SecretsService;
  runner: JobRunner;
}

type Handler<R extends RouteDef> = (
  input: z.infer<R['input']>,
  req: Request,
  res: Response,
) => Promise<z.infer<R['output']>>;

/** The same shape as RouteHandlers' entries for these routes, so it spreads into the table's handlers. */
export type SecretsHandlers = {
  [N in keyof typeof secretsRoutes]: Handler<(typeof secretsRoutes)[N]>;
};

export function secretsHandlers(deps: SecretsRouteDeps): SecretsHandlers {
  return {
    secrets: async () => deps.secrets().list(),
    rotateSecret: async ({ name, graceDays }) => {
      const options = graceDays === undefined ? {} : { graceDays };
      // Unknown and refused names answer now, before a job starts.
      deps.secrets().check(name, options);
      const { jobId } = deps.runner.start('rotate', async (ctx) => {
        await deps.secrets(ctx.jobId).rotate(name, options, (step, percent) => {
          ctx.progress(step, percent);
        });
      });
      return { jobId, kind: 'rotate' };
    },
  };
}
