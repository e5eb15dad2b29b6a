import { z } from 'zod';
import { route, type RouteDef } from './route-def.js';
import { JobAcceptedSchema } from './stack-routes.js';

/**
 * Stack settings as the wizard and the settings page send them: any subset of the fields of
 * `init` (environment, profiles, domain, email, httpPort, httpsPort, dataDir, images, pullPolicy,
 * resources, plex). The server validates them and answers 422 with one message per field. A field
 * given as `null` is cleared back to its default (e.g. `domain: null` for local only).
 */
export const SettingsChangesSchema = z.record(z.string(), z.unknown());

export const DiffLineSchema = z.object({
  op: z.enum(['+', '-']),
  line: z.number(),
  text: z.string(),
});

export const SettingsPreviewSchema = z.object({
  config: z.record(z.string(), z.unknown()),
  diff: z.array(DiffLineSchema),
  services: z.object({
    recreated: z.array(z.string()),
    added: z.array(z.string()),
    removed: z.array(z.string()),
  }),
});
export type SettingsPreview = z.infer<typeof SettingsPreviewSchema>;

/** Where people open MediaNest, from the settings in force. */
export const MediaNestAddressSchema = z.object({
  /** The address to give others on the home network (or the domain). */
  url: z.string(),
  /** Other addresses that reach it, e.g. `http://localhost:8620/` on this computer. */
  others: z.array(z.string()),
});
export type MediaNestAddress = z.infer<typeof MediaNestAddressSchema>;

export const settingsRoutes = {
  /** The stored settings (no secret values). */
  settings: route('GET', '/api/settings', { output: z.record(z.string(), z.unknown()) }),
  /** Where MediaNest answers for others (null before an install); follows port and domain changes. */
  mediaNestAddress: route('GET', '/api/settings/address', {
    output: z.object({ address: MediaNestAddressSchema.nullable() }),
  }),
  /** What applying `changes` would change, without changing anything. */
  settingsPreview: route('POST', '/api/settings/preview', {
    input: z.object({ changes: SettingsChangesSchema }),
    output: SettingsPreviewSchema,
  }),
  /** Applies `changes` as a job: re-render, reconcile what changed, roll back if it does not come up. */
  settingsApply: route('POST', '/api/settings/apply', {
    input: z.object({ changes: SettingsChangesSchema }),
    output: JobAcceptedSchema,
  }),
  /** First install: the same path as `init` + `up`, as one job. */
  install: route('POST', '/api/install', {
    input: z.object({ settings: SettingsChangesSchema }),
    output: JobAcceptedSchema,
  }),
} as const satisfies Record<string, RouteDef>;
