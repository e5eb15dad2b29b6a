import type { LogHistory, LogLine, LogSearchResult } from '../../contract/logs-routes.js';
import { AppError } from '../app-error.js';
import { detectLevel } from './level.js';
import type { EngineLogLine, LogGateway, LogReadOptions, LogSource } from './log-gateway.js';
import { createMasker } from './mask.js';
import { mergeByTime, mergeStreams } from './merge.js';
import { openMatcher, type SearchSpec } from './search.js';
import { StackFollow } from './stack-follow.js';
import { parseTimeArg } from './time.js';

export interface LogServiceDeps {
  gateway: LogGateway;
  project: string;
  /** The current secret values; read again for every request and every few seconds of a follow. */
  secrets: () => Promise<string[]>;
  now: () => Date;
  onError?: (error: unknown) => void;
}

export interface LogRange {
  services?: readonly string[];
  /** The last N lines of the merged result. */
  tail?: number;
  since?: string;
  until?: string;
}

const SECRET_REFRESH_MS = 5000;

/** The stack's logs, merged, masked and levelled: history, search, export and live follow. */
export class LogService {
  constructor(private readonly deps: LogServiceDeps) {}

  /** Fails with not_found when a named service has no container: before a stream starts. */
  async checkServices(services: readonly string[]): Promise<void> {
    if (services.length > 0) await this.sources(services);
  }

  private async sources(services: readonly string[] = []): Promise<LogSource[]> {
    const all = await this.deps.gateway.listSources(this.deps.project);
    const known = new Set(all.map((s) => s.service));
    const unknown = services.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new AppError(
        'not_found',
        `No container of the stack runs ${unknown.join(', ')}${known.size > 0 ? ` (services: ${[...known].sort().join(', ')})` : ''}.`,
        { services: unknown },
      );
    }
    return services.length === 0 ? all : all.filter((s) => services.includes(s.service));
  }

  private engineRange(range: LogRange): LogReadOptions {
    const now = this.deps.now();
    return {
      ...(range.since !== undefined ? { since: parseTimeArg(range.since, now, 'since') } : {}),
      ...(range.until !== undefined ? { until: parseTimeArg(range.until, now, 'until') } : {}),
    };
  }

  private async shaper(): Promise<(source: LogSource, raw: EngineLogLine) => LogLine> {
    const mask = createMasker(await this.deps.secrets());
    return (source, raw) => {
      const text = mask(raw.text);
      const level = detectLevel(text);
      return {
        time: raw.time,
        service: source.service,
        container: source.name,
        stream: raw.stream,
        ...(level ? { level } : {}),
        text,
      };
    };
  }

  /** The last `n` lines of every container, merged (for the support bundle). */
  async lastLines(n: number): Promise<LogLine[]> {
    const sources = await this.sources();
    const shape = await this.shaper();
    const lists = await Promise.all(
      sources.map(async (source) =>
        (await this.deps.gateway.read(source, { tail: n })).map((raw) => shape(source, raw)),
      ),
    );
    return mergeByTime(lists);
  }

  /** Every line in the range, merged by time across the chosen services, masked. */
  async lines(range: LogRange): Promise<LogLine[]> {
    const sources = await this.sources(range.services);
    const options = this.engineRange(range);
    // Each container gives at most `tail` lines; the merged tail is then cut from those.
    const perContainer = range.tail !== undefined ? { ...options, tail: range.tail } : options;
    const shape = await this.shaper();
    const lists = await Promise.all(
      sources.map(async (source) =>
        (await this.deps.gateway.read(source, perContainer)).map((raw) => shape(source, raw)),
      ),
    );
    // The engine's `until` includes lines at that very time; the contract's range excludes them.
    const until = options.until;
    const merged = mergeByTime(
      until === undefined ? lists : lists.map((list) => list.filter((l) => l.time < until)),
    );
    return range.tail !== undefined
      ? merged.slice(Math.max(0, merged.length - range.tail))
      : merged;
  }

  async history(range: LogRange & { tail: number }): Promise<LogHistory> {
    const lines = await this.lines({ ...range, tail: range.tail + 1 });
    const truncated = lines.length > range.tail;
    return { lines: truncated ? lines.slice(1) : lines, truncated };
  }

  /**
   * Every line in the range, merged and masked, in batches as the engine sends them: for search and
   * export, which must not hold the whole retained log. Stop iterating to stop reading.
   */
  async *scan(range: Omit<LogRange, 'tail'>): AsyncGenerator<LogLine[]> {
    const sources = await this.sources(range.services);
    const options = this.engineRange(range);
    const shape = await this.shaper();
    const until = options.until;
    const gateway = this.deps.gateway;
    const shaped = sources.map(async function* (source): AsyncGenerator<LogLine[]> {
      for await (const batch of gateway.scan(source, options)) {
        // The engine's `until` includes lines at that very time; the contract's range excludes them.
        const kept = until === undefined ? batch : batch.filter((l) => l.time < until);
        if (kept.length > 0) yield kept.map((raw) => shape(source, raw));
      }
    });
    yield* mergeStreams(shaped);
  }

  /**
   * The first `limit` matches in time order. Reads the range batch by batch and stops at the first
   * match past the limit, so neither a long log nor a slow pattern holds the server (see search.ts);
   * and between batches once `signal` aborts (the client went away): what was found so far.
   */
  async search(
    range: LogRange & SearchSpec & { limit: number; signal?: AbortSignal },
  ): Promise<LogSearchResult> {
    const matcher = await openMatcher(range);
    const found: LogLine[] = [];
    let scanned = 0;
    let truncated = false;
    try {
      scan: for await (const batch of this.scan(range)) {
        if (range.signal?.aborted) break;
        const hits = await matcher.select(batch.map((l) => l.text));
        for (const i of hits) {
          if (found.length === range.limit) {
            truncated = true;
            scanned += i;
            break scan;
          }
          found.push(batch[i] as LogLine);
        }
        scanned += batch.length;
      }
    } finally {
      await matcher.close();
    }
    return { lines: found, scanned, truncated };
  }

  /**
   * Follows the merged log until the signal aborts. `sink` gets lines in time order, in batches;
   * it must not block (a slow client sits behind a FollowerBuffer).
   */
  async follow(
    options: { services?: readonly string[]; tail?: number; since?: string; windowMs?: number },
    sink: (lines: LogLine[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    // Not checked against the running containers: a follow may start before a service's container
    // exists (during `up`) and picks it up when it starts.
    const services = options.services ?? [];
    let shape = await this.shaper();
    const refresh = setInterval(() => {
      this.shaper().then(
        (next) => (shape = next),
        () => undefined,
      );
    }, SECRET_REFRESH_MS);
    try {
      const range = this.engineRange({
        ...(options.since !== undefined ? { since: options.since } : {}),
      });
      const follow = new StackFollow(
        this.deps.gateway,
        {
          project: this.deps.project,
          services,
          ...(options.tail !== undefined ? { tail: options.tail } : {}),
          ...(range.since !== undefined ? { since: range.since } : {}),
          ...(options.windowMs !== undefined ? { windowMs: options.windowMs } : {}),
        },
        (source, raw) => shape(source, raw),
        this.deps.onError,
        this.deps.now,
      );
      await follow.run(sink, signal);
    } finally {
      clearInterval(refresh);
    }
  }
}
