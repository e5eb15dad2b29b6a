import type { LogLine } from '../contract/logs-routes.js';
import { lineMatcher } from '../core/logs/search.js';
import type { HomePaths } from '../infra/fs/home.js';
import { createLogService } from '../logs-wiring.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';

/** The `logs` verb's entry for VERBS in args.ts. */
export const LOGS_VERB = {
  summary: 'the merged, timestamped log of the stack (or the named services), secrets masked',
  usage: 'logs [SERVICE...] [--follow] [--tail N] [--since T] [--grep RE]',
  options: {
    follow: { type: 'boolean', short: 'f' },
    tail: { type: 'string' },
    since: { type: 'string' },
    grep: { type: 'string' },
  },
  positionals: true,
} as const;

const FOLLOW_DEFAULT_TAIL = 100;

function tailOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--tail: "${JSON.stringify(value)}" is not a number of lines`);
  return Number(value);
}

function grepOption(value: unknown): ((text: string) => boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new UsageError('--grep: give a regular expression of 1-200 characters');
  try {
    return lineMatcher({ query: value, regex: true, caseSensitive: true });
  } catch (error) {
    throw new UsageError(`--grep: ${(error as Error).message.replace(/^query: /, '')}`);
  }
}

export function formatLine(line: LogLine, width: number): string {
  return `${line.time.slice(0, 23)}Z ${line.service.padEnd(width)} | ${line.text}`;
}

/**
 * `logs`: prints the merged log, or follows it until the process is asked to stop. With `--json`,
 * a finished read is one document (`{ "lines": [...] }`); a follow prints one JSON line per log line.
 */
export async function logsCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const json = cmd.values.json === true;
  const follow = cmd.values.follow === true;
  const tail = tailOption(cmd.values.tail);
  const since = typeof cmd.values.since === 'string' ? cmd.values.since : undefined;
  const matches = grepOption(cmd.values.grep);
  const services = cmd.positionals;
  const width = Math.max(8, ...services.map((s) => s.length));
  const logs = createLogService(paths, io.env);
  const keep = (lines: LogLine[]): LogLine[] =>
    matches ? lines.filter((l) => matches(l.text)) : lines;
  if (!follow) {
    const lines = keep(
      await logs.lines({
        services,
        ...(tail !== undefined ? { tail } : {}),
        ...(since !== undefined ? { since } : {}),
      }),
    );
    if (json) io.stdout(JSON.stringify({ lines }));
    else if (lines.length > 0) io.stdout(lines.map((l) => formatLine(l, width)).join('\n'));
    return EXIT.ok;
  }
  const abort = new AbortController();
  const following = logs.follow(
    {
      services,
      tail: tail ?? FOLLOW_DEFAULT_TAIL,
      ...(since !== undefined ? { since } : {}),
    },
    (lines) => {
      const shown = keep(lines);
      if (shown.length === 0) return;
      io.stdout(shown.map((l) => (json ? JSON.stringify(l) : formatLine(l, width))).join('\n'));
    },
    abort.signal,
  );
  await Promise.race([io.untilShutdown(), following]);
  abort.abort();
  await following;
  return EXIT.ok;
}
