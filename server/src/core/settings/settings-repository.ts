/** Durable key -> JSON settings (the stack configuration, preferences). infra/store implements it in SQLite. */
export interface SettingsRepository {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** The stack configuration given to `init` (validated StackConfig). */
export const STACK_CONFIG_KEY = 'stack.config';
