import { z } from 'zod';
import { route } from './route-def.js';
import { SettingsChangesSchema } from './settings-routes.js';
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

/** One need of the stack held against an image: what the stack needs, what the image has. */
export const ImageFindingSchema = z.object({
  /** What is checked: "image", "user", "command", "working directory", "node", "migrations", "health route". */
  what: z.string(),
  needed: z.string(),
  has: z.string(),
  ok: z.boolean(),
  /** What the user can do, when not ok. */
  action: z.string().optional(),
});
export type ImageFinding = z.infer<typeof ImageFindingSchema>;

/** One service's image as `images check` found it. */
export const ServiceImageCheckSchema = z.object({
  service: z.string(),
  /** The reference the stack runs (for `migrate`: the image its migrations come from). */
  image: z.string(),
  /** On this machine; when not, the one finding says so and nothing else could be read. */
  present: z.boolean(),
  /** Which image exactly: its registry digest when it was pulled, else its id. */
  exactly: z.string().optional(),
  findings: z.array(ImageFindingSchema),
  /** Every finding ok: this service's image fits the stack. */
  ok: z.boolean(),
});
export type ServiceImageCheck = z.infer<typeof ServiceImageCheckSchema>;

/**
 * `images check` (the CLI's `--json` prints the same document): what the stack needs of each
 * MediaNest image (backend, frontend, the image the migrations come from) and what it has, read
 * from the image's configuration and files, never by running it. No secret is in it.
 */
export const ImageCheckReportSchema = z.object({
  services: z.array(ServiceImageCheckSchema),
  /** Every checked image is present and fit: the stack will start as far as its images go. */
  willStart: z.boolean(),
});
export type ImageCheckReport = z.infer<typeof ImageCheckReportSchema>;

/**
 * Without `changes`: the stack rendered in this home (409 with `notInstalled` before an install).
 * With them (the same `changes` as the settings' preview): the stack the stored settings with
 * these changes laid over them would render, so the wizard and the settings page can check the
 * images typed before anything is saved; a bad field answers 422 per field. Nothing is written.
 */
export const ImagesCheckInputSchema = z.object({ changes: SettingsChangesSchema.optional() });
export type ImagesCheckInput = z.infer<typeof ImagesCheckInputSchema>;

/**
 * Build and load run as jobs (one at a time with the stack's other jobs). Progress arrives as
 * `job.progressed` events: build steps ("backend (1/2): step 5/14 COPY …"), the builder's output
 * lines ("backend | …"), byte counts while a context or an archive is sent. The last step names
 * the images as `service=reference` pairs, ready for the settings' `images`.
 */
export const imagesRoutes = {
  imagesBuild: route('POST', '/api/images/build', {
    input: BuildImagesInputSchema,
    output: JobAcceptedSchema,
  }),
  imagesLoad: route('POST', '/api/images/load', {
    input: LoadImagesInputSchema,
    output: JobAcceptedSchema,
  }),
  /** Answered in the request, no job: it reads image configurations and files, running nothing. */
  imagesCheck: route('POST', '/api/images/check', {
    input: ImagesCheckInputSchema,
    output: ImageCheckReportSchema,
  }),
};
