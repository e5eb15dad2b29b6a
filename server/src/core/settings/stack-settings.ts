/**
 * The stored stack configuration, read through one typed store, and the small policies every
 * area derives from it (where MediaNest answers, the data and backups folders, the pull policy).
 */
import { AppError } from '../app-error.js';
import type { PullPolicy, StackConfig } from '../stack/config.js';
import { STACK_CONFIG_KEY, type SettingsRepository } from './settings-repository.js';

/**
 * What `init` stores: a validated StackConfig without the Plex credentials (those live in the
 * secrets folder). Read defensively: a home written by an older version may lack fields.
 */
export type StoredStackConfig = Partial<Omit<StackConfig, 'plex'>>;

/** Settings key of the backups folder; `<home>/backups` when unset. */
export const BACKUP_LOCATION_KEY = 'backup.location';

export interface StackConfigStore {
  /** The stored configuration, or undefined while no stack is installed. */
  read(): StoredStackConfig | undefined;
  /** The stored configuration; `conflict` with `missing` as the message while there is none. */
  require(missing: string): StoredStackConfig;
  /** Whether anything is stored (a stack was installed). */
  installed(): boolean;
  save(config: StoredStackConfig): void;
}

export function stackConfigStore(settings: SettingsRepository): StackConfigStore {
  const read = (): StoredStackConfig | undefined => {
    const value = settings.get(STACK_CONFIG_KEY);
    return typeof value === 'object' && value !== null ? value : undefined;
  };
  return {
    read,
    require(missing) {
      const config = read();
      if (!config) throw new AppError('conflict', missing);
      return config;
    },
    installed: () => settings.get(STACK_CONFIG_KEY) !== undefined,
    save: (config) => settings.set(STACK_CONFIG_KEY, config),
  };
}

/** Where MediaNest answers for the tray's "open in browser"; undefined before an install. */
export function mediaNestUrl(config: StoredStackConfig | undefined): string | undefined {
  if (!config) return undefined;
  if (config.domain && config.profiles?.includes('tls')) return `https://${config.domain}/`;
  return `http://localhost:${config.httpPort ?? 80}/`;
}

/** The pull policy of an `up`: the configured one, else only what is missing. */
export function pullPolicyOf(config: StoredStackConfig | undefined): PullPolicy {
  return config?.pullPolicy ?? 'missing';
}

/** The data folder in use: the configured one, else the home's default. */
export function dataFolder(config: StoredStackConfig | undefined, fallback: string): string {
  return typeof config?.dataDir === 'string' ? config.dataDir : fallback;
}

/** The folder backups are written to: the configured one, else `<home>/backups`. */
export function backupsFolder(settings: SettingsRepository, fallback: string): string {
  const configured = settings.get(BACKUP_LOCATION_KEY);
  return typeof configured === 'string' ? configured : fallback;
}
