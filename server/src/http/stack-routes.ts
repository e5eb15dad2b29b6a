import type { DomainEvent } from '../contract/events.js';
import type { StackHealth } from '../contract/health.js';
import { AppError } from '../core/app-error.js';
import type { JobRepository } from '../core/jobs/job-repository.js';
import type { JobRunner } from '../core/jobs/job-runner.js';
import type { PullPolicy } from '../core/stack/config.js';
import type { StackService } from '../core/stack/stack-service.js';
import type { RouteHandlers } from './routes.js';

export interface StackRouteDeps {
  /** The stack of this home, reporting its progress into the given job's events. */
  stack: (onProgress: (event: DomainEvent) => void, jobId?: string) => StackService;
  runner: JobRunner;
  jobs: JobRepository;
  publish: (event: DomainEvent) => void;
  pullPolicy: () => PullPolicy;
  health: () => StackHealth;
  /** Runs before every up: ends an expired JWT grace period. */
  beforeUp?: () => Promise<unknown>;
}

type StackHandlers = Pick<
  RouteHandlers,
  'stackHealth' | 'stackStatus' | 'stackAction' | 'jobs' | 'job'
>;

export function stackHandlers(deps: StackRouteDeps): StackHandlers {
  return {
    stackHealth: async () => deps.health(),
    stackStatus: async () => deps.stack(deps.publish).status(),
    stackAction: async ({ action, services }) => {
      const names = services.length > 0 ? services : undefined;
      const { jobId } = deps.runner.start(action, async (ctx) => {
        const stack = deps.stack(deps.publish, ctx.jobId);
        ctx.progress(`${action} ${names?.join(', ') ?? 'the stack'}`);
        switch (action) {
          case 'up':
            await deps.beforeUp?.();
            await stack.up({
              pullPolicy: deps.pullPolicy(),
              ...(names ? { services: names } : {}),
            });
            break;
          case 'down':
            await stack.down();
            break;
          case 'start':
            await stack.start(names);
            break;
          case 'stop':
            await stack.stop(names);
            break;
          case 'restart':
            await stack.restart(names);
            break;
        }
        ctx.progress('done', 100);
      });
      return { jobId, kind: action };
    },
    jobs: async ({ limit }) => deps.jobs.list(limit),
    job: async ({ id }) => {
      const job = deps.jobs.get(id);
      if (!job) throw new AppError('not_found', `There is no job ${id}.`);
      return job;
    },
  };
}
