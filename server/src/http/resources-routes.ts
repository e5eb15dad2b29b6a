import type {
  DiskUsage,
  ResourceHistory,
  ResourceRange,
  ResourcesSnapshot,
  resourcesRoutes,
} from '../contract/resources-routes.js';
import { AppError } from '../core/app-error.js';
import type { HandlersOf } from './routes.js';

export interface ResourcesRouteDeps {
  latest: () => ResourcesSnapshot;
  /** Undefined when the stack has no such service. */
  history: (service: string, range: ResourceRange) => ResourceHistory | undefined;
  disk: () => Promise<DiskUsage>;
}

export type ResourcesHandlers = HandlersOf<typeof resourcesRoutes>;

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
