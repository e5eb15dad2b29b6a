import { z } from 'zod';

export const ServiceActionSchema = z.enum([
  'unchanged',
  'creating',
  'recreating',
  'starting',
  'waiting',
  'ready',
  'stopping',
  'stopped',
  'removed',
  'failed',
]);
export type ServiceAction = z.infer<typeof ServiceActionSchema>;

/** Progress of a stack operation (up, down, start, stop, restart), as it happens. */
export const StackProgressSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stack.image-pulling'),
    image: z.string(),
    layer: z.string().optional(),
    status: z.string(),
    current: z.number().optional(),
    total: z.number().optional(),
  }),
  z.object({
    type: z.literal('stack.service-progressed'),
    service: z.string(),
    action: ServiceActionSchema,
    detail: z.string().optional(),
  }),
  z.object({ type: z.literal('stack.network-created'), network: z.string() }),
]);
export type StackProgress = z.infer<typeof StackProgressSchema>;

export const ServiceStatusSchema = z.object({
  service: z.string(),
  state: z.enum([
    'missing',
    'created',
    'running',
    'paused',
    'restarting',
    'removing',
    'exited',
    'dead',
  ]),
  health: z.enum(['starting', 'healthy', 'unhealthy', 'none']),
  uptimeSeconds: z.number().nullable(),
  restarts: z.number(),
  exitCode: z.number().nullable(),
  ports: z.array(z.string()),
  image: z.string(),
  /** What a finished one-shot job last said, e.g. the schema's migration level. */
  detail: z.string().optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;
