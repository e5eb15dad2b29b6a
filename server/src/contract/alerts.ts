import { z } from 'zod';
import { AlertSeveritySchema } from './tray.js';

/**
 * Alerts: conditions the monitoring watches for, with a lifecycle. One alert per (rule, subject)
 * while its condition holds: it is `firing`, then `resolved` when the condition clears; the user
 * may acknowledge it at any time (it stays firing until the condition clears). Kept as history.
 */

/** Which rule raised an alert. `channel-failing`: a notification channel could not deliver. */
export const AlertRuleIdSchema = z.enum([
  'service-unhealthy',
  'crash-loop',
  'oom-killed',
  'exited-nonzero',
  'service-stopped',
  'memory-high',
  'disk-low',
  'backup-stale',
  'tls-expiring',
  'tls-renewal-failed',
  'update-rolled-back',
  'channel-failing',
]);
export type AlertRuleId = z.infer<typeof AlertRuleIdSchema>;

export const AlertStateSchema = z.enum(['firing', 'resolved']);
export type AlertState = z.infer<typeof AlertStateSchema>;

/** One alert as the API and the events show it. Times are ISO strings. */
export const AlertSchema = z.object({
  id: z.string(),
  rule: AlertRuleIdSchema,
  /**
   * What it is about: a service name, `data-disk`, `backup`, `tls`, `letsencrypt-issue`,
   * `letsencrypt-renewal`, `update`, or a channel id.
   */
  subject: z.string(),
  severity: AlertSeveritySchema,
  /** Short, e.g. "redis is unhealthy". */
  title: z.string(),
  /** One or two plain-language sentences: what happened and what to do. */
  message: z.string(),
  /** A path inside the app, e.g. `/services/redis`. */
  page: z.string(),
  state: AlertStateSchema,
  firedAt: z.string(),
  resolvedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  /**
   * When notifications (desktop, webhooks) went out for it; null while held by quiet hours (they
   * go out when quiet hours end if it still fires) or when no notification was due.
   */
  notifiedAt: z.string().nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** `HH:MM`, 24-hour local time. */
const ClockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day like 23:00');

const enabled = z.boolean().default(true);

/**
 * The rules and quiet hours, editable in the settings (stored in SQLite). Every field has a home
 * default, so `{}` is valid input; a bad value answers 422 naming the field
 * (e.g. `crashLoop.restarts`).
 */
export const AlertSettingsSchema = z.object({
  /** A running service reporting unhealthy for longer than this. */
  serviceUnhealthy: z
    .object({ enabled, afterSeconds: z.number().int().min(1).max(86_400).default(120) })
    .prefault({}),
  /** At least `restarts` restarts within `withinSeconds`; clears when fewer remain in the window. */
  crashLoop: z
    .object({
      enabled,
      restarts: z.number().int().min(2).max(100).default(3),
      withinSeconds: z.number().int().min(10).max(86_400).default(600),
    })
    .prefault({}),
  /** A service killed by the kernel for memory; clears when it runs again. */
  oomKilled: z.object({ enabled }).prefault({}),
  /**
   * A service (or a one-shot job like `migrate`) exited with a non-zero code and stayed so for
   * `afterSeconds` (a stop of the whole stack takes a moment to look like one: no alert then).
   */
  exitedNonZero: z
    .object({ enabled, afterSeconds: z.number().int().min(0).max(86_400).default(10) })
    .prefault({}),
  /**
   * A long-running service stopped cleanly (or its container is gone) while the rest of the stack
   * runs, for longer than `afterSeconds`. Not for one-shot jobs, nor a stack stopped on purpose.
   */
  serviceStopped: z
    .object({ enabled, afterSeconds: z.number().int().min(0).max(86_400).default(60) })
    .prefault({}),
  /**
   * A service MediaNest cannot work without (nginx, the web front end, the backend, PostgreSQL,
   * Redis, the migrations) is stopped, has exited or fails its health check: MediaNest is down, so
   * its alert (`service-stopped`, `exited-nonzero`, `service-unhealthy`, `oom-killed`) is critical
   * and comes after `afterSeconds` instead of the rule's own delay. Off: those rules as for others.
   */
  medianestDown: z
    .object({ enabled, afterSeconds: z.number().int().min(0).max(86_400).default(10) })
    .prefault({}),
  /** Memory above `percent` of the service's limit for `forSeconds` (services with a limit). */
  memoryHigh: z
    .object({
      enabled,
      percent: z.number().min(50).max(100).default(90),
      forSeconds: z.number().int().min(10).max(86_400).default(300),
    })
    .prefault({}),
  /** The data folder's disk has less than `minFreePercent` free. */
  diskLow: z
    .object({ enabled, minFreePercent: z.number().min(1).max(50).default(10) })
    .prefault({}),
  /**
   * The last successful backup is older than the backup schedule's interval plus `graceHours`
   * (with no backup yet: counted from when monitoring first saw the stack installed).
   */
  backupStale: z
    .object({
      enabled,
      graceHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(24),
    })
    .prefault({}),
  /** The certificate nginx serves expires within `days`. */
  tlsExpiring: z
    .object({ enabled, days: z.number().int().min(1).max(90).default(14) })
    .prefault({}),
  /** certbot's last attempt to obtain or renew the Let's Encrypt certificate failed (a domain set). */
  tlsRenewalFailed: z.object({ enabled }).prefault({}),
  /** The last update (within a week) was rolled back by itself, or failed to roll back. */
  updateRolledBack: z.object({ enabled }).prefault({}),
  /**
   * Quiet hours (local time, may cross midnight): alerts still fire and are recorded, but desktop
   * and webhook notifications are held until the end; `letCriticalThrough` sends critical ones
   * (crash loop, disk almost full) anyway.
   */
  quietHours: z
    .object({
      enabled: z.boolean().default(false),
      start: ClockTimeSchema.default('23:00'),
      end: ClockTimeSchema.default('07:00'),
      letCriticalThrough: z.boolean().default(true),
    })
    .prefault({}),
});
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;
export type AlertSettingsInput = z.input<typeof AlertSettingsSchema>;

export const ChannelKindSchema = z.enum(['generic', 'ntfy', 'discord']);
export type ChannelKind = z.infer<typeof ChannelKindSchema>;

/** http(s) only; it may hold a token (Discord, a private ntfy topic), so it is never shown back. */
export const WebhookUrlSchema = z.url({
  protocol: /^https?$/,
  error: 'must be an http:// or https:// URL',
});

const ChannelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and dashes (max 40)');

/**
 * A webhook channel as the settings page sends it. `generic`: JSON POST of the alert;
 * `ntfy`: POST to the topic URL with Title/Priority/Tags headers; `discord`: POST
 * `{ content, embeds }` to the webhook URL. `url` may be left out for an existing channel to
 * keep the stored one (the API never shows it back).
 */
export const ChannelInputSchema = z.object({
  id: ChannelIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(80),
  kind: ChannelKindSchema,
  url: WebhookUrlSchema.optional(),
  enabled: z.boolean().default(true),
  /** Alerts below this severity are not sent to this channel. */
  minSeverity: AlertSeveritySchema.default('warning'),
  /** Also send a message when an alert resolves. */
  sendResolved: z.boolean().default(true),
});
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/** How a channel's deliveries went (kept in SQLite). */
export const ChannelStatusSchema = z.object({
  /** Its last delivery (after retries) failed and no later one succeeded. */
  failing: z.boolean(),
  lastSuccessAt: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  /** E.g. "HTTP 500" or "connection refused"; never the URL or its token. */
  lastError: z.string().nullable(),
});
export type ChannelStatus = z.infer<typeof ChannelStatusSchema>;

/** A channel as the API shows it: `urlHint` is only the scheme and host (`https://ntfy.sh/…`). */
export const ChannelViewSchema = ChannelInputSchema.omit({ url: true }).extend({
  urlHint: z.string(),
  status: ChannelStatusSchema,
});
export type ChannelView = z.infer<typeof ChannelViewSchema>;

/** Sending a test notification through one channel (one attempt, no retries). */
export const ChannelTestResultSchema = z.object({
  ok: z.boolean(),
  /** Why not, when `ok` is false (no URL or token in it). */
  error: z.string().optional(),
  at: z.string(),
});
export type ChannelTestResult = z.infer<typeof ChannelTestResultSchema>;

export const AlertListQuerySchema = z.object({
  /** Filter the history page; the `firing` list is always complete. */
  state: AlertStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AlertListQuery = z.input<typeof AlertListQuerySchema>;

export const AlertListSchema = z.object({
  /** Every alert firing now, newest first. */
  firing: z.array(AlertSchema),
  /** One page of the history (firing and resolved), newest first. */
  history: z.array(AlertSchema),
  /** How many alerts the history holds (with the `state` filter). */
  total: z.number(),
  /** The `offset` of the next page, absent on the last one. */
  nextOffset: z.number().optional(),
});
export type AlertList = z.infer<typeof AlertListSchema>;

/** What changed about an alert. */
export const AlertChangeSchema = z.enum(['fired', 'resolved', 'acknowledged']);

/**
 * An alert fired, resolved or was acknowledged (always published, quiet hours or not: the UI
 * updates its lists from it). `alert.raised` is the separate "notify the user now" event the
 * desktop shell turns into an OS notification; it is held during quiet hours.
 */
export const AlertChangedSchema = z.object({
  type: z.literal('alert.changed'),
  change: AlertChangeSchema,
  alert: AlertSchema,
});
export type AlertChanged = z.infer<typeof AlertChangedSchema>;
