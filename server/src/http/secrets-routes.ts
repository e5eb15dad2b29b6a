import type { secretsRoutes } from '../contract/secrets-routes.js';
import type { JobRunner } from '../core/jobs/job-runner.js';
import type { SecretsService } from '../core/secrets/rotation-service.js';
import type { HandlersOf } from './routes.js';

export interface SecretsRouteDeps {
  /** The secrets of this home; `jobId` given, the stack's progress is reported into that job. */
  secrets: (jobId?: string) => SecretsService;
  runner: JobRunner;
}

export type SecretsHandlers = HandlersOf<typeof secretsRoutes>;

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
