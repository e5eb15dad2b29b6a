import { z } from 'zod';
import {
  AlertListQuerySchema,
  AlertListSchema,
  AlertSchema,
  AlertSettingsSchema,
  ChannelInputSchema,
  ChannelTestResultSchema,
  ChannelViewSchema,
} from './alerts.js';
import { route, type RouteDef } from './route-def.js';

export const alertsRoutes = {
  /** Firing alerts, and one page of the history (newest first). */
  alerts: route('GET', '/api/alerts', { input: AlertListQuerySchema, output: AlertListSchema }),
  /** Marks an alert as seen; it keeps firing until its condition clears. Unknown id: 404. */
  acknowledgeAlert: route('POST', '/api/alerts/:id/acknowledge', {
    input: z.object({ id: z.string().min(1) }),
    output: AlertSchema,
  }),
  /** The alert rules and quiet hours (defaults until changed). */
  alertSettings: route('GET', '/api/alerts/settings', { output: AlertSettingsSchema }),
  /** Replaces the rules and quiet hours; omitted fields take their defaults. 422 names the field. */
  updateAlertSettings: route('PUT', '/api/alerts/settings', {
    input: AlertSettingsSchema,
    output: AlertSettingsSchema,
  }),
  /** The webhook channels with their delivery status; URLs only as a hint (no token). */
  alertChannels: route('GET', '/api/alerts/channels', { output: z.array(ChannelViewSchema) }),
  /**
   * Replaces the list of channels (ids unique). A new channel needs `url`; an existing one keeps
   * its stored URL when `url` is left out. 422 names the field (`channels.0.url`).
   */
  updateAlertChannels: route('PUT', '/api/alerts/channels', {
    input: z.object({ channels: z.array(ChannelInputSchema).max(20) }),
    output: z.array(ChannelViewSchema),
  }),
  /** Sends a test notification through one channel now and says how it went (also kept in its status). */
  testAlertChannel: route('POST', '/api/alerts/channels/:id/test', {
    input: z.object({ id: z.string().min(1) }),
    output: ChannelTestResultSchema,
  }),
} as const satisfies Record<string, RouteDef>;
