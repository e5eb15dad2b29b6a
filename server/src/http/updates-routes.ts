import type { updatesRoutes } from '../contract/updates-routes.js';
import type { UpdateService } from '../core/updates/update-service.js';
import type { HandlersOf } from './routes.js';
import {
  scheduledCheckHandlers,
  scheduledReport,
  type CheckScheduleDeps,
} from './scheduled-check-handlers.js';

export interface UpdatesRouteDeps extends CheckScheduleDeps {
  updates: () => UpdateService;
}

/** Reads answer from the store; a check answers in the request once every registry has (or has not). */
export function updatesHandlers(deps: UpdatesRouteDeps): HandlersOf<typeof updatesRoutes> {
  const report = () => scheduledReport(deps.updates, deps);
  return {
    ...scheduledCheckHandlers('updates', deps.updates, deps),
    updatesPin: async ({ service, pinned }) => {
      deps.updates().pin(service, pinned);
      return report();
    },
    updatesSkip: async ({ service, version }) => {
      deps.updates().skip(service, version);
      return report();
    },
  };
}
