import type { LogLine } from '../contract/logs-routes.js';
import { AppError } from '../core/app-error.js';
import type { LogService } from '../core/logs/log-service.js';
import { openMatcher, type LineMatcher } from '../core/logs/search.js';
import type { HomePaths } from '../infra/fs/home.js';
import { createLogService } from '../app/logs.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';

const FOLLOW_DEFAULT_TAIL = 100;

function tailOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--tail: "${JSON.stringify(value)}" is not a number of lines`);
  return Number(value);
}

/** The search's errors name the API's field; here the flag is what the user typed. */
function asGrepError(error: unknown): unknown {
  if (!(error instanceof AppError) || !error.message.startsWith('query: ')) return error;
  return new AppError(
    error.code,
    `--grep: ${error.message.slice('query: '.length)}`,
    error.details,
  );
}

async function grepOption(value: unknown): Promise<LineMatcher | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new UsageError('--grep: give a regular expression of 1-200 characters');
  try {
    return await openMatcher({ query: value, regex: true, caseSensitive: true });
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed')
      throw new UsageError(`--grep: ${error.message.replace(/^query: /, '')}`);
    throw error;
  }
}

async function keep(matcher: LineMatcher | undefined, lines: LogLine[]): Promise<LogLine[]> {
  if (!matcher) return lines;
  try {
    return (await matcher.select(lines.map((l) => l.text))).map((i) => lines[i] as LogLine);
  } catch (error) {
    throw asGrepError(error);
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
  const services = cmd.positionals;
  const width = Math.max(8, ...services.map((s) => s.length));
  const logs = createLogService(paths, io.env);
  const matcher = await grepOption(cmd.values.grep);
  try {
    return follow
      ? await followLogs({ logs, services, tail, since, json, width, matcher, io })
      : await readLogs({ logs, services, tail, since, json, width, matcher, io });
  } finally {
    await matcher?.close();
  }
}

interface LogsRun {
  logs: LogService;
  services: string[];
  tail: number | undefined;
  since: string | undefined;
  json: boolean;
  width: number;
  matcher: LineMatcher | undefined;
  io: CliIo;
}

async function readLogs(run: LogsRun): Promise<number> {
  const { logs, services, tail, since, json, width, matcher, io } = run;
  const range = { services, ...(since !== undefined ? { since } : {}) };
  // Without a tail the whole retained log streams through, batch by batch.
  const batches =
    tail !== undefined
      ? (async function* () {
          yield await logs.lines({ ...range, tail });
        })()
      : logs.scan(range);
  const shown: LogLine[] = [];
  for await (const batch of batches) {
    const lines = await keep(matcher, batch);
    if (json) shown.push(...lines);
    else if (lines.length > 0) io.stdout(lines.map((l) => formatLine(l, width)).join('\n'));
  }
  if (json) io.stdout(JSON.stringify({ lines: shown }));
  return EXIT.ok;
}

async function followLogs(run: LogsRun): Promise<number> {
  const { logs, services, tail, since, json, width, matcher, io } = run;
  const abort = new AbortController();
  // Batches are matched in the worker one after another; printing in the same chain keeps order.
  let printed: Promise<void> = Promise.resolve();
  let failed: Error | undefined;
  const following = logs.follow(
    {
      services,
      tail: tail ?? FOLLOW_DEFAULT_TAIL,
      ...(since !== undefined ? { since } : {}),
    },
    (lines) => {
      const shown = keep(matcher, lines).catch((error: unknown) => {
        failed ??= error instanceof Error ? error : new Error(String(error));
        abort.abort();
        return [];
      });
      printed = printed.then(async () => {
        const kept = await shown;
        if (kept.length === 0) return;
        io.stdout(kept.map((l) => (json ? JSON.stringify(l) : formatLine(l, width))).join('\n'));
      });
    },
    abort.signal,
  );
  await Promise.race([io.untilShutdown(), following, waitAbort(abort.signal)]);
  abort.abort();
  await following;
  await printed;
  if (failed !== undefined) throw failed;
  return EXIT.ok;
}

const waitAbort = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
