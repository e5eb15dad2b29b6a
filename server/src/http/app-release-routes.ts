import type { appReleaseRoutes } from '../contract/app-release-routes.js';
import type { AppReleaseService } from '../core/app-release/app-release-service.js';
import type { HandlersOf } from './routes.js';

export interface AppReleaseRouteDeps {
  appRelease: () => AppReleaseService;
  /** When the scheduled check runs next (undefined: off). */
  nextCheckAt: () => Date | undefined;
  /** The settings changed: the schedule follows them. */
  settingsChanged: () => void;
}

/** Reads answer from the store; a check answers in the request, offline included. */
export function appReleaseHandlers(deps: AppReleaseRouteDeps): HandlersOf<typeof appReleaseRoutes> {
  const report = () => deps.appRelease().report(deps.nextCheckAt());
  return {
    appRelease: async () => report(),
    appReleaseCheck: async () => {
      await deps.appRelease().check();
      return report();
    },
    appReleaseSettings: async (settings) => {
      deps.appRelease().setSettings(settings);
      deps.settingsChanged();
      return report();
    },
  };
}
