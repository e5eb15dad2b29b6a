import type { z } from 'zod';
import type { alertsRoutes } from '../contract/alerts-routes.js';
import type {
  AlertList,
  AlertListQuerySchema,
  AlertSettings,
  ChannelInput,
  ChannelTestResult,
  ChannelView,
  Alert,
} from '../contract/alerts.js';
import type { HandlersOf } from './routes.js';

/** What the alerts routes need (alerts-wiring.ts builds it). */
export interface AlertsApi {
  list(query: z.infer<typeof AlertListQuerySchema>): AlertList;
  acknowledge(id: string): Alert;
  settings(): AlertSettings;
  updateSettings(settings: AlertSettings): AlertSettings;
  channels(): ChannelView[];
  updateChannels(channels: ChannelInput[]): ChannelView[];
  testChannel(id: string): Promise<ChannelTestResult>;
}

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
