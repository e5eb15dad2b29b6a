import type { updatesRoutes } from '../contract/updates-routes.js';
import type { UpdateService } from '../core/updates/update-service.js';
import type { HandlersOf } from './routes.js';

export interface UpdatesRouteDeps {
  updates: () => UpdateService;
  /** When the scheduled check runs next (undefined: off). */
  nextCheckAt: () => Date | undefined;
  /** The settings changed: the schedule follows them. */
  settingsChanged: () => void;
}

/** Reads answer from the store; a check answers in the request once every registry has (or has not). */
export function updatesHandlers(deps: UpdatesRouteDeps): HandlersOf<typeof updatesRoutes> {
  const report = () => deps.updates().report(deps.nextCheckAt());
  return {
    updates: async () => report(),
    updatesCheck: async () => {
      await deps.updates().check();
      return report();
    },
    updatesSettings: async (settings) => {
      deps.updates().setSettings(settings);
      deps.settingsChanged();
      return report();
    },
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
