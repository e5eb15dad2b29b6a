/**
 * The update check's settings and its last answers, kept in the settings table (two keys), read
 * defensively: a value an older version wrote, or one edited by hand, reads as the defaults.
 */
import { z } from 'zod';
import {
  CheckoutStateSchema,
  NewerVersionSchema,
  UpdateSettingsSchema,
  type UpdateSettings,
} from '../../contract/updates-routes.js';
import type { SettingsRepository } from '../settings/settings-repository.js';

export const UPDATE_SETTINGS_KEY = 'updates.settings';
export const UPDATE_STATE_KEY = 'updates.state';

/** The registry's last complete answer for one service's image, and the last failure after it. */
export const StoredAnswerSchema = z.object({
  image: z.string(),
  present: z.boolean(),
  /** Present with no registry digest: built or loaded here, so no registry is asked. */
  localBuild: z.boolean().default(false),
  localDigest: z.string().optional(),
  remoteDigest: z.string().optional(),
  newerVersions: z.array(NewerVersionSchema).default([]),
  labels: z.record(z.string(), z.string()).optional(),
  checkout: CheckoutStateSchema.optional(),
  checkedAt: z.string().optional(),
  error: z.object({ message: z.string(), at: z.string() }).optional(),
});
export type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

export const UpdateStateSchema = z.object({
  lastCheckAt: z.string().optional(),
  answers: z.record(z.string(), StoredAnswerSchema).default({}),
  /** Per service, the versions already notified (once each). */
  notified: z.record(z.string(), z.array(z.string())).default({}),
});
export type UpdateState = z.infer<typeof UpdateStateSchema>;

/** How many notified versions are remembered per service (the oldest are forgotten first). */
const NOTIFIED_KEPT = 50;

export interface UpdateStore {
  settings(): UpdateSettings;
  saveSettings(settings: UpdateSettings): void;
  state(): UpdateState;
  saveState(state: UpdateState): void;
}

export function updateStore(settings: SettingsRepository): UpdateStore {
  return {
    settings() {
      const parsed = UpdateSettingsSchema.safeParse(settings.get(UPDATE_SETTINGS_KEY) ?? {});
      return parsed.success ? parsed.data : UpdateSettingsSchema.parse({});
    },
    saveSettings: (value) => settings.set(UPDATE_SETTINGS_KEY, UpdateSettingsSchema.parse(value)),
    state() {
      const parsed = UpdateStateSchema.safeParse(settings.get(UPDATE_STATE_KEY) ?? {});
      return parsed.success ? parsed.data : UpdateStateSchema.parse({});
    },
    saveState(state) {
      const notified = Object.fromEntries(
        Object.entries(state.notified).map(([s, list]) => [s, list.slice(-NOTIFIED_KEPT)]),
      );
      settings.set(UPDATE_STATE_KEY, { ...state, notified });
    },
  };
}
