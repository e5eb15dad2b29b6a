/**
 * The updates applied to this stack, newest first, kept in the settings table (one key, the last
 * 50): from, to, when, how long, the safety snapshot, the outcome and its reason. Read
 * defensively, as the other update keys: a value that does not parse reads as no history.
 */
import { z } from 'zod';
import { UpdateRecordSchema, type UpdateRecord } from '../../contract/update-apply-routes.js';
import type { SettingsRepository } from '../settings/settings-repository.js';

export const UPDATE_HISTORY_KEY = 'updates.history';
const KEPT = 50;

export { UpdateRecordSchema, type UpdateRecord };

export interface UpdateHistory {
  /** Newest first. */
  list(): UpdateRecord[];
  add(record: UpdateRecord): void;
}

export function settingsUpdateHistory(settings: SettingsRepository): UpdateHistory {
  const list = (): UpdateRecord[] => {
    const parsed = z.array(UpdateRecordSchema).safeParse(settings.get(UPDATE_HISTORY_KEY) ?? []);
    return parsed.success ? parsed.data : [];
  };
  return {
    list,
    add(record) {
      // Recording twice (a commit finished again after a crash) keeps one row.
      const rest = list().filter((r) => r.id !== record.id);
      settings.set(UPDATE_HISTORY_KEY, [record, ...rest].slice(0, KEPT));
    },
  };
}
