/** One line of the app's own log. Every line passes the redactor before it is written. */
import { createMasker } from '../../core/logs/mask.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Replaces every known secret value, in any case, and every 16+ character piece of one, with
 * `[redacted]` (core/logs/mask.ts: the same rules as the stack's logs).
 */
export function redact(text: string, secrets: Iterable<string>): string {
  return createMasker(secrets)(text);
}

/** A masker rebuilt only when the secret values change (a rotation, a new login code). */
function currentMasker(secrets: () => Iterable<string>): () => (text: string) => string {
  let key: string | undefined;
  let mask: (text: string) => string = (text) => text;
  return () => {
    const values = [...secrets()];
    const next = values.join('\n');
    if (next !== key) {
      key = next;
      mask = createMasker(values);
    }
    return mask;
  };
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  /** The current secret values (token, stack secrets); read at every line so rotations apply at once. */
  secrets?: () => Iterable<string>;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const masker = currentMasker(options.secrets ?? (() => []));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    const mask = masker();
    // Strings are masked before JSON escapes them (a value with a quote or a backslash would no
    // longer match after); the whole line again after, for keys and anything else.
    const line = JSON.stringify(
      { time: now().toISOString(), level, message, ...fields },
      (_key, value: unknown) =>
        value instanceof Error
          ? { name: value.name, message: value.message }
          : typeof value === 'string'
            ? mask(value)
            : value,
    );
    write(mask(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
