import { z } from 'zod';
import {
  AlertSettingsSchema,
  ChannelInputSchema,
  WebhookUrlSchema,
  type AlertSettings,
} from '../../contract/alerts.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import type { StoredChannel } from './channel-service.js';

export const ALERT_SETTINGS_KEY = 'alerts.settings';
export const ALERT_CHANNELS_KEY = 'alerts.channels';
/** When monitoring first saw the stack installed: "no backup yet" counts from there. */
export const ALERTS_WATCHING_SINCE_KEY = 'alerts.watchingSince';

const StoredChannelsSchema = z.array(ChannelInputSchema.extend({ url: WebhookUrlSchema }));

/** The stored rules, or the defaults (also for a stored value a newer version would not accept). */
export function readAlertSettings(settings: SettingsRepository): AlertSettings {
  const parsed = AlertSettingsSchema.safeParse(settings.get(ALERT_SETTINGS_KEY) ?? {});
  return parsed.success ? parsed.data : AlertSettingsSchema.parse({});
}

export function readChannels(settings: SettingsRepository): StoredChannel[] {
  const parsed = StoredChannelsSchema.safeParse(settings.get(ALERT_CHANNELS_KEY) ?? []);
  return parsed.success ? parsed.data : [];
}
