import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { JobAcceptedSchema } from './stack-routes.js';

/** A secret as the API shows it: names, ages and consumers, never a value. */
export const SecretInfoSchema = z.object({
  name: z.string(),
  /** ISO time of the last write. */
  modifiedAt: z.string(),
  ageSeconds: z.number(),
  /** The services that mount it. */
  consumers: z.array(z.string()),
  description: z.string().optional(),
  /** Whether `POST /api/secrets/:name/rotate` accepts it. */
  rotatable: z.boolean(),
  /** Why not, for a known secret that is not rotatable (encryption_key, the derived URLs...). */
  notRotatableBecause: z.string().optional(),
  /** jwt_secret_rotation: the previous jwt_secret is accepted until then (ISO time). */
  graceUntil: z.string().optional(),
  /** A rotation of it stopped half-way; the next rotation finishes it first. */
  unfinishedRotation: z.boolean().optional(),
});
export type SecretInfo = z.infer<typeof SecretInfoSchema>;

export const RotateSecretInputSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a secret name'),
  /** jwt_secret only: days the previous value stays valid; 7 when omitted, 0 logs everyone out. */
  graceDays: z.number().int().min(0).max(90).optional(),
});
export type RotateSecretInput = z.infer<typeof RotateSecretInputSchema>;

export const secretsRoutes = {
  /** Every secret of the stack with its age and consumers; never a value. */
  secrets: route('GET', '/api/secrets', { output: z.array(SecretInfoSchema) }),
  /**
   * Rotates one secret as a job (`kind: "rotate"`). Unknown names answer 422 naming the
   * rotatable ones, refused ones (encryption_key...) 409 with the reason, before any job starts.
   */
  rotateSecret: route('POST', '/api/secrets/:name/rotate', {
    input: RotateSecretInputSchema,
    output: JobAcceptedSchema,
  }),
} as const satisfies Record<string, RouteDef>;
