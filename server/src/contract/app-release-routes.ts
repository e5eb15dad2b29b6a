import { z } from 'zod';
import type { RouteDef } from './route-def.js';
import { scheduledCheckRoutes } from './scheduled-check-routes.js';

/**
 * The app's own release check's settings (`app.release.settings`): on, `serve` asks at most once a
 * day whether a newer MediaNest Appliance was released. The desktop app has its own updater.
 */
export const AppReleaseSettingsSchema = z.strictObject({
  check: z
    .strictObject({ enabled: z.boolean({ error: 'must be true or false' }).default(true) })
    .default({ enabled: true }),
});
export type AppReleaseSettings = z.infer<typeof AppReleaseSettingsSchema>;

/** How this copy of the app was installed: it decides how to update it. */
export const InstallKindSchema = z.enum([
  /** The Electron app: electron-updater downloads the new version and offers a restart. */
  'desktop',
  /** `npm i -g`: the package in a global node_modules. */
  'npm',
  /** The .deb package (dpkg knows it). */
  'deb',
  /** An AppImage file. */
  'appimage',
  /** A git checkout of the repository, built with `npm run build`. */
  'checkout',
  'unknown',
]);
export type InstallKind = z.infer<typeof InstallKindSchema>;

/** A published release, as the last check found it. */
export const AppReleaseInfoSchema = z.object({
  /** `0.2.0`, from the release's tag `v0.2.0`. */
  version: z.string(),
  tag: z.string(),
  /** The release's page (notes and downloads). */
  url: z.url({ protocol: /^https?$/ }),
  publishedAt: z.string().optional(),
});
export type AppReleaseInfo = z.infer<typeof AppReleaseInfoSchema>;

/** `GET /api/app/release` and `app-release --json`: the last answer, never a fresh check. */
export const AppReleaseSchema = z.object({
  /** This app's version. */
  current: z.string(),
  installedFrom: InstallKindSchema,
  /** Where releases are asked for (a URL); absent when none is known: nothing is asked then. */
  source: z.string().optional(),
  /** The newest release when the last check succeeded (absent: none published, or never asked). */
  latest: AppReleaseInfoSchema.optional(),
  /** The newest release is newer than this version. */
  updateAvailable: z.boolean(),
  /** With an update: how to update from the package this copy was installed from. */
  howToUpdate: z.object({ text: z.string(), commands: z.array(z.string()) }).optional(),
  /** When the source last answered (ISO 8601). */
  checkedAt: z.string().optional(),
  /** The last attempt failed (offline, refused); the answer above, if any, is older. */
  error: z.object({ message: z.string(), at: z.string() }).optional(),
  settings: AppReleaseSettingsSchema,
  /** When the server checks next; absent when off or outside the server. */
  nextCheckAt: z.string().optional(),
});
export type AppRelease = z.infer<typeof AppReleaseSchema>;

/**
 * Whether a newer release of the app itself exists, and how to install it: appRelease,
 * appReleaseCheck (asks the release source now; offline, the answer says so, never an error) and
 * appReleaseSettings.
 */
export const appReleaseRoutes = {
  ...scheduledCheckRoutes(
    'appRelease',
    '/api/app/release',
    AppReleaseSchema,
    AppReleaseSettingsSchema,
  ),
} as const satisfies Record<string, RouteDef>;
