import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';

/** A level read from the line itself (JSON `level` field or a common text prefix); absent when none. */
export const LogLineLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLineLevel = z.infer<typeof LogLineLevelSchema>;

/** One line of a service's output, as the app shows and exports it: secret values already masked. */
export const LogLineSchema = z.object({
  /** The engine's timestamp, RFC 3339 UTC with nine fractional digits (sorts as a string). */
  time: z.string(),
  service: z.string(),
  /** Container name (a recreated service has a new one). */
  container: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  level: LogLineLevelSchema.optional(),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

const ServiceListSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').filter((s) => s.length > 0) : value),
  z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a service name')).default([]),
);

/**
 * A point in time: RFC 3339 (`2025-01-02T03:04:05Z`), Unix seconds (`1735787045.5`), or a duration
 * before now (`90s`, `15m`, `2h`, `1d`).
 */
const TimeArgSchema = z
  .string()
  .regex(
    /^(\d+(\.\d+)?|\d+(ms|s|m|h|d)|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d))$/,
    'must be RFC 3339, Unix seconds, or a duration such as 15m',
  );

export const LogHistoryQuerySchema = z.object({
  /** Only these services; every service when empty (comma-separated in a query string). */
  services: ServiceListSchema,
  /** The last N lines of the merged view (default 500, at most 50 000). */
  tail: z.coerce.number().int().min(0).max(50_000).default(500),
  since: TimeArgSchema.optional(),
  until: TimeArgSchema.optional(),
});
export type LogHistoryQuery = z.infer<typeof LogHistoryQuerySchema>;

export const LogHistorySchema = z.object({
  lines: z.array(LogLineSchema),
  /** True when older lines in the range were left out by `tail`. */
  truncated: z.boolean(),
});
export type LogHistory = z.infer<typeof LogHistorySchema>;

export const LogSearchQuerySchema = z.object({
  services: ServiceListSchema,
  /**
   * A substring, or a JavaScript regular expression when `regex` is true (at most 200 characters).
   * A regular expression sees the first 4096 characters of each line, and a pattern that takes
   * longer than a quarter of a second on one batch of lines is stopped and refused
   * (`validation_failed` naming `query`): the server stays responsive whatever the pattern.
   */
  query: z.string().min(1).max(200),
  regex: z
    .enum(['true', 'false'])
    .or(z.boolean())
    .default(false)
    .transform((v) => v === true || v === 'true'),
  caseSensitive: z
    .enum(['true', 'false'])
    .or(z.boolean())
    .default(false)
    .transform((v) => v === true || v === 'true'),
  since: TimeArgSchema.optional(),
  until: TimeArgSchema.optional(),
  /** The first N matches in time order (default 1000). */
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type LogSearchQuery = z.infer<typeof LogSearchQuerySchema>;

export const LogSearchResultSchema = z.object({
  lines: z.array(LogLineSchema),
  /**
   * Lines searched (after the time range and services filters). The search stops at the first match
   * past `limit`, so when `truncated` this counts the lines read up to there, not the whole range.
   */
  scanned: z.number(),
  /** True when more lines matched than `limit`: the result holds the first `limit` only. */
  truncated: z.boolean(),
});
export type LogSearchResult = z.infer<typeof LogSearchResultSchema>;

export const logsRoutes = {
  /** The merged log of the stack (or the named services), oldest first, masked. */
  logsHistory: route('GET', '/api/logs', {
    input: LogHistoryQuerySchema,
    output: LogHistorySchema,
  }),
  /** Server-side search over the engine's retained logs, masked before matching. */
  logsSearch: route('GET', '/api/logs/search', {
    input: LogSearchQuerySchema,
    output: LogSearchResultSchema,
  }),
} as const satisfies Record<string, RouteDef>;

/**
 * Live merged log, `text/event-stream` (its own stream, not `/api/events`: log lines would push the
 * domain events out of that stream's replay buffer). Query: `services`, `tail` (default 100), `since`.
 * Each message's data is a {@link LogFollowMessage}.
 */
export const LOGS_FOLLOW_PATH = '/api/logs/follow';

/** Plain text (`format=text`, one `TIME SERVICE STREAM TEXT` line each) or NDJSON of {@link LogLine}. */
export const LOGS_DOWNLOAD_PATH = '/api/logs/download';

export const LogDownloadQuerySchema = LogHistoryQuerySchema.extend({
  /**
   * The last N lines (at most 100 000: a tail is gathered before it is sent). Without it the whole
   * range streams, however long.
   */
  tail: z.coerce.number().int().min(0).max(100_000).optional(),
  format: z.enum(['text', 'ndjson']).default('text'),
});
export type LogDownloadQuery = z.infer<typeof LogDownloadQuerySchema>;

export const LogFollowQuerySchema = z.object({
  services: ServiceListSchema,
  tail: z.coerce.number().int().min(0).max(10_000).default(100),
  since: TimeArgSchema.optional(),
});
export type LogFollowQuery = z.infer<typeof LogFollowQuerySchema>;

/** What one follow message carries: lines in order, or word that the client fell behind. */
export const LogFollowMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('logs.lines'), lines: z.array(LogLineSchema) }),
  /**
   * The client read more slowly than the stack wrote: `count` lines between `from` and `to` (engine
   * times) were dropped from its buffer here, in place of the lines it never got.
   */
  z.object({
    type: z.literal('logs.skipped'),
    count: z.number().int().min(1),
    from: z.string(),
    to: z.string(),
  }),
  z.object({ type: z.literal('logs.heartbeat'), at: z.string() }),
]);
export type LogFollowMessage = z.infer<typeof LogFollowMessageSchema>;

/** Support bundle download (`application/gzip`). */
export const SUPPORT_BUNDLE_PATH = '/api/support/bundle';
