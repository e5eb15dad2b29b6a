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
import type { RouteDef } from './route-def.js';

export const alertsRoutes = {
  /** Firing alerts, and one page of the history (newest first). */
  alerts: {
    method: 'GET',
    path: '/api/alerts',
    input: AlertListQuerySchema,
    output: AlertListSchema,
    auth: true,
  },
  /** Marks an alert as seen; it keeps firing until its condition clears. Unknown id: 404. */
  acknowledgeAlert: {
    method: 'POST',
    path: '/api/alerts/:id/acknowledge',
    input: z.object({ id: z.string().min(1) }),
    output: AlertSchema,
    auth: true,
  },
  /** The alert rules and quiet hours (defaults until changed). */
  alertSettings: {
    method: 'GET',
    path: '/api/alerts/settings',
    input: z.object({}),
    output: AlertSettingsSchema,
    auth: true,
  },
  /** Replaces the rules and quiet hours; omitted fields take their defaults. 422 names the field. */
  updateAlertSettings: {
    method: 'PUT',
    path: '/api/alerts/settings',
    input: AlertSettingsSchema,
    output: AlertSettingsSchema,
    auth: true,
  },
  /** The webhook channels with their delivery status; URLs only as a hint (no token). */
  alertChannels: {
    method: 'GET',
    path: '/api/alerts/channels',
    input: z.object({}),
    output: z.array(ChannelViewSchema),
    auth: true,
  },
  /**
   * Replaces the list of channels (ids unique). A new channel needs `url`; an existing one keeps
   * its stored URL when `url` is left out. 422 names the field (`channels.0.url`).
   */
  updateAlertChannels: {
    method: 'PUT',
    path: '/api/alerts/channels',
    input: z.object({ channels: z.array(ChannelInputSchema).max(20) }),
    output: z.array(ChannelViewSchema),
    auth: true,
  },
  /** Sends a test notification through one channel now and says how it went (also kept in its status). */
  testAlertChannel: {
    method: 'POST',
    path: '/api/alerts/channels/:id/test',
    input: z.object({ id: z.string().min(1) }),
    output: ChannelTestResultSchema,
    auth: true,
  },
} as const satisfies Record<string, RouteDef>;
