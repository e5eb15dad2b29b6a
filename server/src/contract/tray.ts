import { z } from 'zod';
import { route } from './route-def.js';

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

/**
 * A paired appliance's state changed as this desktop sees it (issue 21 §3): its own tray state, or
 * `unknown` with `problem` while it cannot be reached. For the switcher and the tray.
 */
export const ApplianceChangedSchema = z.object({
  type: z.literal('appliance.changed'),
  id: z.string(),
  name: z.string(),
  state: TrayStateSchema,
  problem: z.string().optional(),
});
export type ApplianceChanged = z.infer<typeof ApplianceChangedSchema>;

/**
 * The tray of a desktop with paired appliances: the worst state of this computer and each
 * appliance (an unreachable one counts as `unknown`, never `down`), a tooltip naming them, and each
 * one's line for the menu. With none paired it says what `tray.changed` says.
 */
export const TrayOverallSchema = z.object({
  type: z.literal('tray.overall'),
  state: TrayStateSchema,
  tooltip: z.string(),
  appliances: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      state: TrayStateSchema,
      problem: z.string().optional(),
    }),
  ),
});
export type TrayOverall = z.infer<typeof TrayOverallSchema>;

/** The domain events the desktop shell reacts to; it ignores every other event. */
export const DesktopEventSchema = z.discriminatedUnion('type', [
  TrayChangedSchema,
  TrayOverallSchema,
  AlertRaisedSchema,
]);
export type DesktopEvent = z.infer<typeof DesktopEventSchema>;

export const TRAY_PATH = '/api/tray';

export const trayRoutes = {
  /** The tray as it is now (the event stream tells only its changes): what a desktop shows first. */
  tray: route('GET', TRAY_PATH, { output: TrayChangedSchema }),
};
