import type { appReleaseRoutes } from '../contract/app-release-routes.js';
import type { AppReleaseService } from '../core/app-release/app-release-service.js';
import type { HandlersOf } from './routes.js';
import { scheduledCheckHandlers, type CheckScheduleDeps } from './scheduled-check-handlers.js';

export interface AppReleaseRouteDeps extends CheckScheduleDeps {
  appRelease: () => AppReleaseService;
}

/** Reads answer from the store; a check answers in the request, offline included. */
export function appReleaseHandlers(deps: AppReleaseRouteDeps): HandlersOf<typeof appReleaseRoutes> {
  return scheduledCheckHandlers('appRelease', deps.appRelease, deps);
}
