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

/**
 * The known defects of MediaNest's own files that make a build from its checkout fail (reference
 * R5): the lockfile left out by `.dockerignore`, workspace dependencies the runtime stage never
 * copies, a `tsconfig` extending a file the Dockerfile never copies, ES module output in a package
 * without `"type": "module"`, a missing `frontend/public`.
 */
export const CheckoutDefectSchema = z.enum([
  'lockfile-ignored',
  'workspace-deps-not-copied',
  'tsconfig-extends-not-copied',
  'esm-without-type-module',
  'frontend-public-missing',
]);
export type CheckoutDefect = z.infer<typeof CheckoutDefectSchema>;

/** One defect found in a checkout: where it is, what goes wrong, what the user can do. */
export const CheckoutFindingSchema = z.object({
  code: CheckoutDefectSchema,
  /** Relative to the checkout, `/` separators. */
  file: z.string(),
  /** 1-based, when the defect is on one line. */
  line: z.number().int().positive().optional(),
  problem: z.string(),
  action: z.string(),
});
export type CheckoutFinding = z.infer<typeof CheckoutFindingSchema>;

/**
 * The `details` of the 422 `validation_failed` a build answers when the checkout has a known
 * defect, before anything is built: every finding (and `fields.sourceDir`, as every refusal).
 */
export const CheckoutRefusalSchema = z.object({
  findings: z.array(CheckoutFindingSchema).min(1),
});
export type CheckoutRefusal = z.infer<typeof CheckoutRefusalSchema>;

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
