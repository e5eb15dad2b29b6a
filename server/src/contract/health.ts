import { z } from 'zod';

export const ServiceStateSchema = z.enum([
  'created',
  'starting',
  'running',
  'healthy',
  'unhealthy',
  'restarting',
  'exited',
  'missing',
]);
export type ServiceState = z.infer<typeof ServiceStateSchema>;

/** One run of a deep check. */
export const DeepCheckResultSchema = z.object({
  ok: z.boolean(),
  /** What the check printed, trimmed (at most 500 characters), or why it could not run. */
  output: z.string(),
  /** When it ran (ISO time). */
  at: z.string(),
});
export type DeepCheckResult = z.infer<typeof DeepCheckResultSchema>;

/** One service as the health model sees it. */
export const ServiceHealthSchema = z.object({
  service: z.string(),
  state: ServiceStateSchema,
  /** Output of the last health-check run, trimmed. */
  lastCheck: z.string().nullable(),
  restarts: z.number(),
  /** When the current run started (ISO time), for uptime. */
  startedAt: z.string().nullable(),
  exitCode: z.number().nullable(),
  oomKilled: z.boolean(),
  /**
   * The last deep check, beyond Docker's own healthcheck (`pg_isready`, `redis-cli ping`, the
   * backend's ready endpoint), run every 30 s while the service runs; absent for services without
   * one or before the first run. A failing one makes the stack `degraded`.
   */
  deepCheck: DeepCheckResultSchema.optional(),
  /**
   * A job that runs to completion (the `migrate` step): exit 0 means done, not stopped. Absent from
   * producers that do not know the plan.
   */
  oneShot: z.boolean().optional(),
  /**
   * MediaNest cannot work without it (nginx, the web front end, the backend and what they need:
   * PostgreSQL, Redis): while it is down, MediaNest is down.
   */
  essential: z.boolean().optional(),
});
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;

export const OverallStatusSchema = z.enum(['healthy', 'degraded', 'down', 'stopped', 'unknown']);
export type OverallStatus = z.infer<typeof OverallStatusSchema>;

/**
 * The services that cannot work because a service they depend on (directly or not, by compose's
 * `depends_on`) is down: service name -> the names of those it waits for. Only affected ones listed.
 */
export const AffectedServicesSchema = z.record(z.string(), z.array(z.string()));
export type AffectedServices = z.infer<typeof AffectedServicesSchema>;

export const StackHealthSchema = z.object({
  status: OverallStatusSchema,
  /** Why, in plain language: "redis is unhealthy", "the Docker engine is not reachable". */
  reason: z.string(),
  services: z.array(ServiceHealthSchema),
  /** Absent when nothing is affected (or from producers that do not know the dependencies). */
  affected: AffectedServicesSchema.optional(),
  at: z.string(),
});
export type StackHealth = z.infer<typeof StackHealthSchema>;

/** A service's state changed (past tense, per the event naming rule). */
export const ServiceStateChangedSchema = z.object({
  type: z.literal('service.state-changed'),
  service: ServiceHealthSchema,
  previous: ServiceStateSchema.nullable(),
});

/** The stack's overall status changed. */
export const StackStatusChangedSchema = z.object({
  type: z.literal('stack.status-changed'),
  status: OverallStatusSchema,
  reason: z.string(),
  affected: AffectedServicesSchema.optional(),
});
