import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { scheduledCheckRoutes } from './scheduled-check-routes.js';

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a service name');
/** A tag (`v2`, `1.2.3-alpine`) or a digest (`sha256:…`), as a registry spells them. */
const versionName = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[0-9a-f]{64})$/,
    'must be a tag or a digest',
  );

/**
 * The update check's settings (`updates.settings`): when it runs on its own, and what it offers.
 * A pinned service is never offered anything; a skipped version (a tag, or the digest of a same-tag
 * update) is not offered again, nor notified, while newer ones still are.
 */
export const UpdateSettingsSchema = z.strictObject({
  check: z
    .strictObject({
      /** Off: checks run only on demand. */
      enabled: z.boolean().default(true),
      /** Hours between two scheduled checks. */
      everyHours: z
        .number({ error: 'must be a number of hours' })
        .int('must be a whole number of hours')
        .min(1, 'must be at least 1 hour')
        .max(24 * 30, 'must be at most 720 hours (30 days)')
        .default(24),
    })
    .default({ enabled: true, everyHours: 24 }),
  pinned: z.record(serviceName, z.literal(true)).default({}),
  skipped: z.record(serviceName, versionName).default({}),
});
export type UpdateSettings = z.infer<typeof UpdateSettingsSchema>;

/** How big a step a newer version tag is, by the first number that grows. */
export const VersionStepSchema = z.enum(['major', 'minor', 'patch']);
export type VersionStep = z.infer<typeof VersionStepSchema>;

/** A newer version tag of the same repository and the same shape as the running one. */
export const NewerVersionSchema = z.object({
  tag: z.string(),
  step: VersionStepSchema,
});
export type NewerVersion = z.infer<typeof NewerVersionSchema>;

/**
 * A local build from a git checkout (its image's labels say which folder, branch and commit), and
 * what the checkout's remote has on that branch now.
 */
export const CheckoutStateSchema = z.object({
  dir: z.string(),
  branch: z.string(),
  /** The commit the image was built from. */
  commit: z.string(),
  /** How many commits the remote's branch has beyond it (0: none, or not asked yet). */
  behind: z.number().int().nonnegative(),
  /** The remote branch's newest commit and its subject line, when it is ahead. */
  newest: z.string().optional(),
  subject: z.string().optional(),
});
export type CheckoutState = z.infer<typeof CheckoutStateSchema>;

/** One service's image as the last check found it. */
export const ServiceUpdateSchema = z.object({
  service: z.string(),
  /** The reference the stack runs, as configured. */
  image: z.string(),
  /** Its tag (`latest` when the reference names none); absent for a reference by digest only. */
  tag: z.string().optional(),
  /** The registry digest the local image was pulled as; absent for a local build or a load. */
  currentDigest: z.string().optional(),
  /** The image is on this machine. */
  present: z.boolean(),
  /** Built or loaded here (no registry digest): no registry is asked about it. */
  localBuild: z.boolean(),
  /** The registry's digest for the same tag differs from the local one: a rebuilt tag. */
  newDigest: z.string().optional(),
  /** Newer version tags, oldest first (skipped ones left out). */
  newerVersions: z.array(NewerVersionSchema),
  /**
   * Labels of the newest available image (OCI `org.opencontainers.image.*`, release notes), read
   * from its configuration in the registry; absent when it has none or could not be read.
   */
  labels: z.record(z.string(), z.string()).optional(),
  /** Built here from a git checkout: newer commits on its branch (rebuild to take them). */
  checkout: CheckoutStateSchema.optional(),
  /** Anything to offer (not pinned, not skipped). */
  updateAvailable: z.boolean(),
  pinned: z.boolean(),
  skipped: z.string().optional(),
  /** When the registry last answered for this image (ISO 8601); absent: never. */
  checkedAt: z.string().optional(),
  /** The last attempt failed (e.g. "registry not reachable: connection refused"); the answer above is older. */
  error: z.object({ message: z.string(), at: z.string() }).optional(),
});
export type ServiceUpdate = z.infer<typeof ServiceUpdateSchema>;

/** `GET /api/updates` and `updates --json`: the last answers, never a fresh check. */
export const UpdatesReportSchema = z.object({
  services: z.array(ServiceUpdateSchema),
  settings: UpdateSettingsSchema,
  /** When a check last ran (ISO 8601), whatever it found. */
  lastCheckAt: z.string().optional(),
  /** When the scheduled check runs next; absent when off or outside the server. */
  nextCheckAt: z.string().optional(),
});
export type UpdatesReport = z.infer<typeof UpdatesReportSchema>;

/** Pin or unpin a service; skip a version of it (or stop skipping, with `version` absent). */
export const UpdatePinInputSchema = z.object({ service: serviceName, pinned: z.boolean() });
export type UpdatePinInput = z.infer<typeof UpdatePinInputSchema>;
export const UpdateSkipInputSchema = z.object({
  service: serviceName,
  version: versionName.optional(),
});
export type UpdateSkipInput = z.infer<typeof UpdateSkipInputSchema>;

/**
 * A version was seen for the first time (published once per service and version by the server's
 * check): the desktop shell shows an OS notification, the dashboard reloads its card.
 */
export const UpdateBecameAvailableSchema = z.object({
  type: z.literal('update.became-available'),
  service: z.string(),
  image: z.string(),
  /** The newer tag, the new digest of the same tag, or the newest commit of a checkout's branch. */
  version: z.string(),
  kind: z.enum(['version', 'digest', 'commit']),
});
export type UpdateBecameAvailable = z.infer<typeof UpdateBecameAvailableSchema>;

/**
 * Knowing that there is an update. Checks talk to registries (through the engine for digests,
 * directly for tag lists) and answer in the request; nothing is pulled or changed. updatesCheck
 * checks every service's image now (a registry that does not answer keeps its last answer);
 * updatesSettings validates per field (`check.everyHours: must be …`).
 */
export const updatesRoutes = {
  ...scheduledCheckRoutes('updates', '/api/updates', UpdatesReportSchema, UpdateSettingsSchema),
  updatesPin: route('POST', '/api/updates/pin', {
    input: UpdatePinInputSchema,
    output: UpdatesReportSchema,
  }),
  updatesSkip: route('POST', '/api/updates/skip', {
    input: UpdateSkipInputSchema,
    output: UpdatesReportSchema,
  }),
} as const satisfies Record<string, RouteDef>;
