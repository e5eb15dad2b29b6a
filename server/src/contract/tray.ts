import { z } from 'zod';

/** The appliance at a glance, as the tray shows it: one colour per state. */
export const TrayStateSchema = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export type TrayState = z.infer<typeof TrayStateSchema>;

/**
 * The tray's state changed (published by monitoring). The desktop shell picks the icon from `state`,
 * shows `tooltip` on hover and lists `problems` under the status summary of its menu.
 */
export const TrayChangedSchema = z.object({
  type: z.literal('tray.changed'),
  state: TrayStateSchema,
  /** One line, e.g. "MediaNest: 6 of 7 services healthy". Windows cuts tray tooltips at 127 characters. */
  tooltip: z.string(),
  /** Plain-language problems, most important first; empty when healthy. */
  problems: z.array(z.string()),
  /**
   * Where MediaNest itself answers (built by the server from the stack settings), for the tray's
   * "Open MediaNest in the browser"; absent until the stack is installed. http(s) only.
   */
  mediaNestUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type TrayChanged = z.infer<typeof TrayChangedSchema>;

export const AlertSeveritySchema = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

/**
 * Something needs the user's attention (published by monitoring): the desktop shell shows it as an
 * OS notification; clicking it opens `page` in the app's window.
 */
export const AlertRaisedSchema = z.object({
  type: z.literal('alert.raised'),
  alertId: z.string(),
  severity: AlertSeveritySchema,
  title: z.string(),
  message: z.string(),
  /** A path inside the app, e.g. `/services/postgres`; never another origin. */
  page: z.string().regex(/^\/(?![/\\])/, 'must be a path inside the app, like /services'),
});
export type AlertRaised = z.infer<typeof AlertRaisedSchema>;

/** The domain events the desktop shell reacts to; it ignores every other event. */
export const DesktopEventSchema = z.discriminatedUnion('type', [
  TrayChangedSchema,
  AlertRaisedSchema,
]);
export type DesktopEvent = z.infer<typeof DesktopEventSchema>;
