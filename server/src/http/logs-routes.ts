import { Router, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import {
  LOGS_DOWNLOAD_PATH,
  LOGS_FOLLOW_PATH,
  LogDownloadQuerySchema,
  LogFollowQuerySchema,
  type LogFollowMessage,
  type LogLine,
  type logsRoutes,
} from '../contract/logs-routes.js';
import { AppError } from '../core/app-error.js';
import {
  FollowerBuffer,
  type FollowItem,
  type FollowerBufferLimits,
} from '../core/logs/follower-buffer.js';
import type { LogService } from '../core/logs/log-service.js';
import { regexWorkers } from '../core/logs/regex-worker.js';
import { fieldErrors, type HandlersOf } from './routes.js';
import { SseResponse } from './sse.js';

type LogsHandlers = HandlersOf<typeof logsRoutes>;

/** Handlers of the route table's JSON log routes (history, search). */
export function logsHandlers(deps: { logs: () => LogService }): LogsHandlers {
  // The first regex search should not wait for a thread to start (a second on a busy machine).
  regexWorkers.warmSoon(2000);
  return {
    logsHistory: async ({ services, tail, since, until }) =>
      deps.logs().history({
        services,
        tail,
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      }),
    logsSearch: async (
      { services, query, regex, caseSensitive, since, until, limit },
      _req,
      res,
    ) => {
      // A client that leaves stops the search at the next batch: no reading for nobody.
      const left = new AbortController();
      const onClose = () => {
        if (!res.writableFinished) left.abort();
      };
      res.once('close', onClose);
      try {
        return await deps.logs().search({
          services,
          query,
          regex,
          caseSensitive,
          limit,
          signal: left.signal,
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
        });
      } finally {
        res.off('close', onClose);
      }
    },
  };
}

export interface LogStreamDeps {
  logs: () => LogService;
  requireAuth: RequestHandler;
  /** Per-follower queue bounds (defaults: 20 000 lines, 8 MiB). */
  buffer?: Partial<FollowerBufferLimits>;
  /** Unsent bytes on a follower's socket above which the server stops writing to it (256 KiB). */
  socketHighWaterBytes?: number;
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

/** What the open follows hold right now: for tests and diagnostics. */
export interface LogStreamStats {
  followers: number;
  heldLines: number;
  heldBytes: number;
  socketBytes: number;
  skipped: number;
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error);
  const first = Object.entries(fields)[0];
  throw new AppError('validation_failed', first ? `${first[0]}: ${first[1]}` : 'Invalid input.', {
    fields,
  });
}

const frame = (message: LogFollowMessage): string => `data: ${JSON.stringify(message)}\n\n`;

/** Consecutive lines become one message; a skip marker is its own. */
function messages(items: FollowItem[]): string {
  let out = '';
  let lines: LogLine[] = [];
  for (const item of items) {
    if (item.kind === 'line') {
      lines.push(item.line);
      continue;
    }
    if (lines.length > 0) out += frame({ type: 'logs.lines', lines });
    lines = [];
    out += frame({ type: 'logs.skipped', count: item.count, from: item.from, to: item.to });
  }
  if (lines.length > 0) out += frame({ type: 'logs.lines', lines });
  return out;
}

const textLine = (l: LogLine): string => `${l.time} ${l.service} ${l.stream} ${l.text}\n`;

/**
 * Writes chunks, waiting for the socket to drain, so an export never piles up in memory; a client
 * that goes away stops the read from the engine.
 */
async function writeAll(res: Response, chunks: AsyncIterable<string>): Promise<void> {
  for await (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  }
}

async function* formatted(
  batches: AsyncIterable<LogLine[]>,
  format: 'text' | 'ndjson',
): AsyncIterable<string> {
  for await (const batch of batches) {
    yield format === 'text'
      ? batch.map(textLine).join('')
      : batch.map((l) => JSON.stringify(l) + '\n').join('');
  }
}

/**
 * The log endpoints that are not JSON: the live follow (`text/event-stream`) and the export (text
 * or NDJSON). Mount before the `/api` not-found handler.
 */
export function logStreamsRouter(deps: LogStreamDeps): {
  router: Router;
  stats: () => LogStreamStats;
} {
  const router = Router();
  const open = new Set<{ buffer: FollowerBuffer; res: Response }>();
  const highWater = deps.socketHighWaterBytes ?? 256 * 1024;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  router.get(LOGS_FOLLOW_PATH, deps.requireAuth, async (req, res) => {
    const query = parse(LogFollowQuerySchema, req.query);
    const logs = deps.logs();
    const stream = new SseResponse(req, res, {
      hello: ': following\n\n',
      heartbeatMs,
      heartbeat: () => frame({ type: 'logs.heartbeat', at: new Date().toISOString() }),
      highWaterBytes: highWater,
    });
    const buffer = new FollowerBuffer(deps.buffer);
    const entry = { buffer, res };
    open.add(entry);
    const abort = new AbortController();
    let waiting = false;
    const pump = (): void => {
      while (!buffer.isEmpty && !stream.closed && !stream.full) {
        stream.write(messages(buffer.take(500)));
      }
      if (!buffer.isEmpty && !waiting && !stream.closed) {
        waiting = true;
        stream.drained(() => {
          waiting = false;
          pump();
        });
      }
    };
    res.once('close', () => {
      abort.abort();
      open.delete(entry);
    });
    try {
      await logs.follow(
        {
          services: query.services,
          tail: query.tail,
          ...(query.since !== undefined ? { since: query.since } : {}),
        },
        (lines) => {
          buffer.push(lines);
          pump();
        },
        abort.signal,
      );
    } catch (error) {
      deps.onError?.(error);
    } finally {
      open.delete(entry);
      stream.end();
    }
  });

  router.get(LOGS_DOWNLOAD_PATH, deps.requireAuth, async (req, res) => {
    const query = parse(LogDownloadQuerySchema, req.query);
    const range = {
      services: query.services,
      ...(query.since !== undefined ? { since: query.since } : {}),
      ...(query.until !== undefined ? { until: query.until } : {}),
    };
    const logs = deps.logs();
    // A tail is cut from the end, so it is gathered first (bounded by the contract); a whole range
    // streams from the engine to the client batch by batch.
    const batches =
      query.tail !== undefined
        ? (async function* () {
            yield await logs.lines({ ...range, tail: query.tail });
          })()
        : logs.scan(range);
    const first = await batches.next();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const ext = query.format === 'text' ? 'log' : 'ndjson';
    res.writeHead(200, {
      'Content-Type':
        query.format === 'text' ? 'text/plain; charset=utf-8' : 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="medianest-logs-${stamp}.${ext}"`,
      'Cache-Control': 'no-store',
    });
    const rest = (async function* () {
      if (!first.done) yield first.value;
      yield* batches;
    })();
    try {
      await writeAll(res, formatted(rest, query.format));
    } catch (error) {
      // The headers are out: the only honest way left to say "incomplete" is to cut the response.
      deps.onError?.(error);
      res.destroy();
      return;
    } finally {
      await batches.return(undefined);
    }
    res.end();
  });

  const stats = (): LogStreamStats => {
    const all = [...open];
    return {
      followers: all.length,
      heldLines: all.reduce((n, e) => n + e.buffer.heldLines, 0),
      heldBytes: all.reduce((n, e) => n + e.buffer.heldBytes, 0),
      socketBytes: all.reduce((n, e) => n + e.res.writableLength, 0),
      skipped: all.reduce((n, e) => n + e.buffer.skipped, 0),
    };
  };
  return { router, stats };
}
