import type { Request, Response } from 'express';
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
import type { RouteDef } from '../contract/route-def.js';

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

type Handler<R extends RouteDef> = (
  input: z.infer<R['input']>,
  req: Request,
  res: Response,
) => Promise<z.infer<R['output']>>;

/** The same shape as RouteHandlers' entries for these routes, so it spreads into the table's handlers. */
export type AlertsHandlers = {
  [N in keyof typeof alertsRoutes]: Handler<(typeof alertsRoutes)[N]>;
};

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
