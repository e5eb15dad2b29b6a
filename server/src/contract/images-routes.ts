import { z } from 'zod';
import type { RouteDef } from './route-def.js';
import { JobAcceptedSchema } from './stack-routes.js';

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a service name');
const absolutePath = z
  .string()
  .min(1, 'is required')
  .max(4096, 'must be at most 4096 characters long')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

/**
 * A local build from a MediaNest source folder on the server's machine. Each service is its
 * stage of the consolidated Dockerfile (backend -> backend-production, frontend ->
 * frontend-production); the images are tagged `medianest/<service>:local-<source hash>` unless
 * `images` names them.
 */
export const BuildImagesInputSchema = z.object({
  sourceDir: absolutePath,
  /** Services to build; backend and frontend when empty. */
  services: z.array(serviceName).max(8).default([]),
  /** The Dockerfile, relative to sourceDir; default config/docker/Dockerfile.consolidated, else Dockerfile. */
  dockerfile: z.string().min(1).max(1024).optional(),
  /** Image reference per service, instead of the default tag. */
  images: z.record(serviceName, z.string().min(1).max(255)).optional(),
  buildArgs: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a build argument name'),
      z.string().max(4096),
    )
    .optional(),
  /** `auto` (default): BuildKit when the engine offers it, which MediaNest's Dockerfile needs. */
  builder: z.enum(['auto', 'buildkit', 'classic']).default('auto'),
});
export type BuildImagesInput = z.infer<typeof BuildImagesInputSchema>;

/** An image archive on the server's machine, as `docker save` writes it (.tar or .tar.gz). */
export const LoadImagesInputSchema = z.object({ archive: absolutePath });
export type LoadImagesInput = z.infer<typeof LoadImagesInputSchema>;

/**
 * Both run as jobs (one at a time with the stack's other jobs). Progress arrives as
 * `job.progressed` events: build steps ("backend (1/2): step 5/14 COPY …"), the builder's output
 * lines ("backend | …"), byte counts while a context or an archive is sent. The last step names
 * the images as `service=reference` pairs, ready for the settings' `images`.
 */
export const imagesRoutes = {
  imagesBuild: {
    method: 'POST',
    path: '/api/images/build',
    input: BuildImagesInputSchema,
    output: JobAcceptedSchema,
    auth: true,
  },
  imagesLoad: {
    method: 'POST',
    path: '/api/images/load',
    input: LoadImagesInputSchema,
    output: JobAcceptedSchema,
    auth: true,
  },
} as const satisfies Record<string, RouteDef>;
