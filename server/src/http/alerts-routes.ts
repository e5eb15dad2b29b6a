import type { alertsRoutes } from '../contract/alerts-routes.js';
import type { HandlersOf } from './routes.js';
import type { AlertsService } from '../core/alerts/alerts-service.js';

/** What the alerts routes need: core's alerts service (app/alerts.ts builds it). */
export type AlertsApi = Pick<
  AlertsService,
  | 'list'
  | 'acknowledge'
  | 'settings'
  | 'updateSettings'
  | 'channels'
  | 'updateChannels'
  | 'testChannel'
>;

export type AlertsHandlers = HandlersOf<typeof alertsRoutes>;

export function alertsHandlers(api: () => AlertsApi): AlertsHandlers {
  return {
    alerts: async (query) => api().list(query),
    acknowledgeAlert: async ({ id }) => api().acknowledge(id),
    alertSettings: async () => api().settings(),
    updateAlertSettings: async (settings) => api().updateSettings(settings),
    alertChannels: async () => api().channels(),
    updateAlertChannels: async ({ channels }) => api().updateChannels(channels),
    testAlertChannel: async ({ id }) => api().testChannel(id),
  };
}
