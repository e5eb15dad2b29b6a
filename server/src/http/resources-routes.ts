import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteDef } from '../contract/route-def.js';
import type {
  DiskUsage,
  ResourceHistory,
  ResourceRange,
  ResourcesSnapshot,
  resourcesRoutes,
} from '../contract/resources-routes.js';
import { AppError } from '../core/app-error.js';

export interface ResourcesRouteDeps {
  latest: () => ResourcesSnapshot;
  /** Undefined when the stack has no such service. */
  history: (service: string, range: ResourceRange) => ResourceHistory | undefined;
  disk: () => Promise<DiskUsage>;
}

type Handler<R extends RouteDef> = (
  input: z.infer<R['input']>,
  req: Request,
  res: Response,
) => Promise<z.infer<R['output']>>;

/** The same shape as RouteHandlers' entries for these routes, so it spreads into the table's handlers. */
export type ResourcesHandlers = {
  [N in keyof typeof resourcesRoutes]: Handler<(typeof resourcesRoutes)[N]>;
};

export function resourcesHandlers(deps: ResourcesRouteDeps): ResourcesHandlers {
  return {
    resourcesLatest: async () => deps.latest(),
    resourcesHistory: async ({ service, range }) => {
      const history = deps.history(service, range);
      if (!history)
        throw new AppError('not_found', `service: the stack has no service "${service}".`);
      return history;
    },
    diskUsage: async () => deps.disk(),
  };
}
