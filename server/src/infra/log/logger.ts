/** One line of the app's own log. Every line passes the redactor before it is written. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Replaces every known secret value with `[redacted]`. Values shorter than 8 characters are not secrets we made. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
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
  const secrets = options.secrets ?? (() => []);
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    const line = JSON.stringify(
      { time: now().toISOString(), level, message, ...fields },
      (_key, value: unknown) =>
        value instanceof Error ? { name: value.name, message: value.message } : value,
    );
    write(redact(line, secrets()));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
