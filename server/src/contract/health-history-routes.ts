import { z } from 'zod';
import { ServiceStateSchema } from './health.js';
import { route, type RouteDef } from './route-def.js';

/** One recorded transition of a service: its state, how it exited, its deep-check verdict. */
export const HealthHistoryEntrySchema = z.object({
  /** Increasing; the `before` cursor of the next page. */
  id: z.number().int(),
  service: z.string(),
  state: ServiceStateSchema,
  previous: ServiceStateSchema.nullable(),
  /** Output of the last health-check run, trimmed, secret values masked. */
  lastCheck: z.string().nullable(),
  exitCode: z.number().nullable(),
  oomKilled: z.boolean(),
  /** The deep check's verdict at that moment (output trimmed and masked); null without one. */
  deepCheck: z.object({ ok: z.boolean(), output: z.string() }).nullable(),
  /** When it was recorded (ISO time). */
  at: z.string(),
});
export type HealthHistoryEntry = z.infer<typeof HealthHistoryEntrySchema>;

export const HealthHistoryQuerySchema = z.object({
  /** A service of the stack, e.g. `postgres` (path parameter). */
  service: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a service name'),
  /** Entries per page (default 50, at most 500). */
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Only entries older than this id (the last `id` of the previous page). */
  before: z.coerce.number().int().min(1).optional(),
});
export type HealthHistoryQuery = z.infer<typeof HealthHistoryQuerySchema>;

export const HealthHistoryPageSchema = z.object({
  /** Newest first. */
  entries: z.array(HealthHistoryEntrySchema),
  /** Older entries exist: ask again with `before` = the last entry's id. */
  more: z.boolean(),
});
export type HealthHistoryPage = z.infer<typeof HealthHistoryPageSchema>;

export const healthHistoryRoutes = {
  /** One service's recorded health transitions, newest first, a page at a time. */
  healthHistory: route('GET', '/api/services/:service/health-history', {
    input: HealthHistoryQuerySchema,
    output: HealthHistoryPageSchema,
  }),
} as const satisfies Record<string, RouteDef>;
