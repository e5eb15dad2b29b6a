import type { LogLineLevel } from '../../contract/logs-routes.js';

const WORDS: Record<string, LogLineLevel> = {
  trace: 'debug',
  debug: 'debug',
  verbose: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  log: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'error',
  crit: 'error',
  critical: 'error',
  panic: 'error',
  alert: 'error',
  emerg: 'error',
};

/** pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
function fromNumber(n: number): LogLineLevel | undefined {
  if (!Number.isFinite(n) || n < 10) return undefined;
  if (n < 30) return 'debug';
  if (n < 40) return 'info';
  if (n < 50) return 'warn';
  return 'error';
}

function fromJson(text: string): LogLineLevel | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const value = record.level ?? record.severity ?? record.lvl ?? record.loglevel;
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value === 'string') return WORDS[value.toLowerCase()];
  return undefined;
}

/*
 * Only forms that mark a level, not a word in a sentence ("no error found"): an upper-case word
 * (`ERROR`, `WARN:`; postgres `LOG:`, `FATAL:`, `DEBUG1:`), a bracketed word (`[info]`, nginx `[error]`),
 * or logfmt's `level=warn`. Looked for near the start only, after any timestamp or process id.
 */
const UPPER =
  /(?:^|[\s[(|])(TRACE|DEBUG|VERBOSE|INFO|NOTICE|LOG|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|PANIC|ALERT|EMERG)(?:[1-5](?=:))?(?=[\s\]):|,]|$)/;
const BRACKETED =
  /\[(trace|debug|verbose|info|notice|warn|warning|error|err|fatal|crit|critical|panic|alert|emerg)\]/i;
/*
 * Redis marks its level with one symbol after the time: `.` debug, `-` verbose, `*` notice,
 * `#` warning (`1:M 07 Dec 2026 05:59:44.123 * Ready to accept connections`). Only with the whole
 * pid:role and timestamp prefix, so a `*` in a sentence is not read as a level.
 */
const REDIS = /^\d+:[XCSM] \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} ([.*#-]) /;
const REDIS_LEVELS: Record<string, LogLineLevel> = {
  '.': 'debug',
  '-': 'debug',
  '*': 'info',
  '#': 'warn',
};
/** A command-line tool's own form, `initdb: warning: ...`, `pg_ctl: error: ...`: at the very start. */
const PROGRAM = /^[\w.-]+: (debug|info|notice|warning|error|fatal|panic): /;
const LOGFMT = /\b(?:level|lvl|severity)=["']?([a-zA-Z]+)/;
const HEAD = 120;

/** The level a line carries, from a JSON `level` field or a common text prefix; undefined when none. */
export function detectLevel(text: string): LogLineLevel | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const level = fromJson(trimmed);
    if (level) return level;
  }
  const head = trimmed.slice(0, HEAD);
  const logfmt = LOGFMT.exec(head);
  if (logfmt?.[1]) {
    const level = WORDS[logfmt[1].toLowerCase()];
    if (level) return level;
  }
  const bracketed = BRACKETED.exec(head);
  if (bracketed?.[1]) return WORDS[bracketed[1].toLowerCase()];
  const upper = UPPER.exec(head);
  if (upper?.[1]) return WORDS[upper[1].toLowerCase()];
  const program = PROGRAM.exec(head);
  if (program?.[1]) return WORDS[program[1]];
  const redis = REDIS.exec(head);
  if (redis?.[1]) return REDIS_LEVELS[redis[1]];
  return undefined;
}
