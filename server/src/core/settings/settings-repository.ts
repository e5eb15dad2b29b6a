/** Durable key -> JSON settings (the stack configuration, preferences). infra/store implements it in SQLite. */
export interface SettingsRepository {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** Settings that can also be forgotten: a failed first install forgets the settings it stored. */
export interface ForgettingSettingsRepository extends SettingsRepository {
  delete(key: string): void;
}

/** The stack configuration given to `init` (validated StackConfig). */
export const STACK_CONFIG_KEY = 'stack.config';

/** What the doctor checks against: the configured ports and data folder, when a stack is configured. */
export function configuredTargets(settings: SettingsRepository): {
  httpPort?: number;
  httpsPort?: number;
  dataDir?: string;
} {
  const config = settings.get(STACK_CONFIG_KEY);
  if (typeof config !== 'object' || config === null) return {};
  const { httpPort, httpsPort, dataDir } = config as Record<string, unknown>;
  return {
    ...(typeof httpPort === 'number' ? { httpPort } : {}),
    ...(typeof httpsPort === 'number' ? { httpsPort } : {}),
    ...(typeof dataDir === 'string' ? { dataDir } : {}),
  };
}
