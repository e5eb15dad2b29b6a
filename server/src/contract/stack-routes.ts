import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { StackHealthSchema } from './health.js';
import { ServiceStatusSchema } from './stack.js';

/** A job the server accepted: watch it on the event stream, or read it at `GET /api/jobs/:id`. */
export const JobAcceptedSchema = z.object({ jobId: z.string(), kind: z.string() });
export type JobAccepted = z.infer<typeof JobAcceptedSchema>;

export const JobStateSchema = z.enum(['running', 'succeeded', 'failed', 'interrupted']);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  state: JobStateSchema,
  step: z.string().nullable(),
  percent: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const ServicesInputSchema = z.object({
  /** Only these services (and what they depend on); every service when empty. */
  services: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a service name')).default([]),
});

export const StackActionSchema = z.enum(['up', 'down', 'start', 'stop', 'restart']);
export type StackAction = z.infer<typeof StackActionSchema>;

export const stackRoutes = {
  /** Live health from the engine's event stream: overall status with its reason, per service. */
  stackHealth: route('GET', '/api/stack/health', { output: StackHealthSchema }),
  /** Per service: state, health, uptime, restarts, exit code, ports, image. */
  stackStatus: route('GET', '/api/stack/status', { output: z.array(ServiceStatusSchema) }),
  /** up, down, start, stop or restart, as a job (one at a time; a second one answers 409 busy). */
  stackAction: route('POST', '/api/stack/:action', {
    input: ServicesInputSchema.extend({ action: StackActionSchema }),
    output: JobAcceptedSchema,
  }),
  jobs: route('GET', '/api/jobs', {
    input: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    output: z.array(JobSchema),
  }),
  job: route('GET', '/api/jobs/:id', {
    input: z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a job id') }),
    output: JobSchema,
  }),
} as const satisfies Record<string, RouteDef>;
