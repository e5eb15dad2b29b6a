import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { JobAcceptedSchema } from './stack-routes.js';

/** One update applied to the stack (or rolled back by itself), as the history keeps it. */
export const UpdateRecordSchema = z.object({
  id: z.string(),
  /** `update` to a new version, or `rollback` to the one before it. */
  kind: z.enum(['update', 'rollback']),
  /** The images per service before and after (only the services that changed). */
  from: z.record(z.string(), z.string()),
  to: z.record(z.string(), z.string()),
  /** How the user named the target (a tag or an image reference). */
  target: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  /** The verified safety snapshot taken with the app stopped (a backup id). */
  snapshotId: z.string().optional(),
  result: z.enum(['succeeded', 'rolled-back', 'failed']),
  /** Why it was rolled back (or failed). */
  reason: z.string().optional(),
});
export type UpdateRecord = z.infer<typeof UpdateRecordSchema>;

/** `service` (backend, the default, with migrate; or frontend) to `to`: a tag or an image reference. */
export const UpdateApplyInputSchema = z.strictObject({
  service: z.enum(['backend', 'frontend']).default('backend'),
  to: z.string().min(1).max(500),
});
export type UpdateApplyInput = z.infer<typeof UpdateApplyInputSchema>;

export const updateApplyRoutes = {
  /** Starts the update as a job (kind `update`); its progress comes as `job.progressed` events. */
  updatesApply: route('POST', '/api/updates/apply', {
    input: UpdateApplyInputSchema,
    output: JobAcceptedSchema,
  }),
  /** Back to the version before the newest successful update, as a job (kind `update`). */
  updatesRollback: route('POST', '/api/updates/rollback', { output: JobAcceptedSchema }),
  /** The updates applied here, newest first. */
  updatesHistory: route('GET', '/api/updates/history', { output: z.array(UpdateRecordSchema) }),
} as const satisfies Record<string, RouteDef>;
