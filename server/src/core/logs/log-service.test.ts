import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../contract/logs-routes.js';
import type {
  EngineLogLine,
  LogContainerEvent,
  LogGateway,
  LogReadOptions,
  LogSource,
  LogWatch,
} from './log-gateway.js';
import { LogService } from './log-service.js';

const t = (n: number): string => `2025-01-01T00:00:00.${String(n).padStart(9, '0')}Z`;

/** An engine in memory: containers with logs; a follow replays from `since` and waits for lines. */
class FakeLogGateway implements LogGateway {
  logs = new Map<string, EngineLogLine[]>();
  sources: LogSource[] = [];
  private listeners = new Set<(e: LogContainerEvent) => void>();
  private waiting = new Map<string, Set<() => void>>();
  private stopped = new Map<string, Set<() => void>>();

  add(id: string, service: string, lines: Array<[number, string]>, running = true): void {
    this.sources.push({ id, name: `p-${service}-1`, service, running, tty: false });
    this.logs.set(
      id,
      lines.map(([n, text]) => ({ time: t(n), stream: 'stdout', text })),
    );
  }
  write(id: string, n: number, text: string): void {
    this.logs.get(id)?.push({ time: t(n), stream: 'stdout', text });
    for (const wake of this.waiting.get(id) ?? []) wake();
  }
  stop(id: string): void {
    const s = this.sources.find((x) => x.id === id);
    if (s) s.running = false;
    for (const end of this.stopped.get(id) ?? []) end();
  }
  start(id: string): void {
    const s = this.sources.find((x) => x.id === id);
    if (!s) return;
    s.running = true;
    for (const l of this.listeners)
      l({ kind: 'start', containerId: id, service: s.service, name: s.name });
  }
  private select(id: string, o: LogReadOptions): EngineLogLine[] {
    let lines = (this.logs.get(id) ?? []).filter(
      (l) =>
        (o.since === undefined || l.time >= o.since) && (o.until === undefined || l.time < o.until),
    );
    if (o.tail !== undefined) lines = lines.slice(Math.max(0, lines.length - o.tail));
    return lines;
  }
  async listSources(): Promise<LogSource[]> {
    return this.sources.map((s) => ({ ...s }));
  }
  async read(source: LogSource, o: LogReadOptions): Promise<EngineLogLine[]> {
    const lines = this.select(source.id, o);
    this.handedOut += lines.length;
    return lines;
  }
  /** Lines the engine has sent (`read` or `scan`): a search that stops early reads fewer. */
  handedOut = 0;
  async *scan(source: LogSource, o: LogReadOptions): AsyncIterable<EngineLogLine[]> {
    const lines = this.select(source.id, o);
    // Small batches, as a real engine sends them, so merging across batch edges is exercised.
    for (let i = 0; i < lines.length; i += 2) {
      const batch = lines.slice(i, i + 2);
      this.handedOut += batch.length;
      yield batch;
    }
  }
  async inspect(id: string): Promise<LogSource | undefined> {
    const s = this.sources.find((x) => x.id === id);
    return s ? { ...s } : undefined;
  }
  async *follow(
    source: LogSource,
    o: LogReadOptions,
    signal: AbortSignal,
  ): AsyncIterable<EngineLogLine[]> {
    const all = this.logs.get(source.id) ?? [];
    const first = this.select(source.id, o);
    let next = all.length;
    if (first.length > 0) yield first;
    for (;;) {
      if (signal.aborted || !this.sources.find((s) => s.id === source.id)?.running) return;
      if (all.length > next) {
        yield all.slice(next);
        next = all.length;
        continue;
      }
      await new Promise<void>((resolve) => {
        const set = this.waiting.get(source.id) ?? new Set();
        const ended = this.stopped.get(source.id) ?? new Set();
        set.add(resolve);
        ended.add(resolve);
        this.waiting.set(source.id, set);
        this.stopped.set(source.id, ended);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
  async watch(
    _p: string,
    onEvent: (e: LogContainerEvent) => void,
    signal: AbortSignal,
  ): Promise<LogWatch> {
    this.listeners.add(onEvent);
    return {
      done: new Promise((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      ),
    };
  }
}

const service = (gateway: LogGateway, secrets: string[] = []): LogService =>
  new LogService({
    gateway,
    project: 'p',
    secrets: async () => secrets,
    now: () => new Date('2025-01-01T00:00:01Z'),
  });

const settle = (ms = 120): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LogService with a fake engine', () => {
  it('merges history across services by time, tags, levels and masks each line', async () => {
    const gateway = new FakeLogGateway();
    gateway.add('a', 'backend', [
      [1, 'INFO up'],
      [4, 'token=supersecretvalue1'],
    ]);
    gateway.add('b', 'postgres', [
      [2, 'LOG:  ready'],
      [3, 'ERROR: boom'],
    ]);
    const history = await service(gateway, ['supersecretvalue1']).history({ tail: 3 });
    expect(history.truncated).toBe(true);
    expect(history.lines.map((l) => [l.service, l.level, l.text])).toEqual([
      ['postgres', 'info', 'LOG:  ready'],
      ['postgres', 'error', 'ERROR: boom'],
      ['backend', undefined, 'token=[redacted]'],
    ]);
  });

  it('searches masked text within a time range', async () => {
    const gateway = new FakeLogGateway();
    gateway.add('a', 'backend', [
      [1, 'user 1 logged in'],
      [2, 'USER 22 logged in'],
      [3, 'user 3 left'],
    ]);
    const logs = service(gateway, ['supersecretvalue1']);
    const found = await logs.search({
      query: 'user \\d+ logged',
      regex: true,
      caseSensitive: false,
      limit: 10,
      since: '1735689600',
      until: t(2),
    });
    expect(found.lines.map((l) => l.text)).toEqual(['user 1 logged in']);
    const all = await logs.search({
      query: 'LOGGED',
      regex: false,
      caseSensitive: false,
      limit: 10,
    });
    expect(all.lines).toHaveLength(2);
  });

  it('searches across services in time order and stops reading at the first match past the limit', async () => {
    const gateway = new FakeLogGateway();
    const many = (offset: number): Array<[number, string]> =>
      Array.from({ length: 3000 }, (_, i) => [i * 2 + offset, `hit ${i * 2 + offset}`]);
    gateway.add('a', 'backend', many(0));
    gateway.add('b', 'frontend', many(1));
    const found = await service(gateway).search({
      query: 'HIT',
      regex: false,
      caseSensitive: false,
      limit: 5,
    });
    expect(found.lines.map((l) => `${l.service} ${l.text}`)).toEqual([
      'backend hit 0',
      'frontend hit 1',
      'backend hit 2',
      'frontend hit 3',
      'backend hit 4',
    ]);
    expect(found.truncated).toBe(true);
    expect(found.scanned).toBe(5);
    // Not the whole retained log: the engine's reads were closed once the answer was known.
    expect(gateway.handedOut).toBeLessThan(1500);
  });

  it('stops reading once its client has gone (the signal aborts)', async () => {
    const gateway = new FakeLogGateway();
    gateway.add(
      'a',
      'backend',
      Array.from({ length: 6000 }, (_, i): [number, string] => [i, `line ${i}`]),
    );
    const left = new AbortController();
    left.abort();
    const found = await service(gateway).search({
      query: 'no such text',
      regex: false,
      caseSensitive: false,
      limit: 10,
      signal: left.signal,
    });
    expect(found.lines).toEqual([]);
    expect(found.scanned).toBe(0);
    // The engine's read was closed at the first batch, not read to the end.
    expect(gateway.handedOut).toBeLessThan(6000);
  });

  it('refuses a catastrophic regex within a second, naming the field', async () => {
    const gateway = new FakeLogGateway();
    gateway.add(
      'a',
      'backend',
      Array.from({ length: 20 }, (_, i): [number, string] => [i, 'a'.repeat(30 + i) + '!']),
    );
    const started = performance.now();
    const error = await service(gateway)
      .search({ query: '^(a+)+$', regex: true, caseSensitive: false, limit: 10 })
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: 'validation_failed', details: { field: 'query' } });
  });

  it('follows a container through a restart without a gap or a duplicate', async () => {
    const gateway = new FakeLogGateway();
    gateway.add('a', 'worker', [
      [1, 'n1'],
      [2, 'n2'],
    ]);
    const got: LogLine[] = [];
    const abort = new AbortController();
    const done = service(gateway).follow(
      { tail: 10, windowMs: 10 },
      (l) => got.push(...l),
      abort.signal,
    );
    await settle();
    gateway.write('a', 3, 'n3');
    gateway.write('a', 3, 'n3b');
    gateway.stop('a');
    await settle();
    gateway.start('a');
    gateway.write('a', 4, 'n4');
    await settle();
    abort.abort();
    await done;
    expect(got.map((l) => l.text)).toEqual(['n1', 'n2', 'n3', 'n3b', 'n4']);
  });

  it('sends the initial tail of a merged follow as one time-ordered block, then live lines', async () => {
    /** The engine answers redis late: its history arrives well after postgres's newer lines. */
    class SlowRedisGateway extends FakeLogGateway {
      private late = <T>(source: LogSource, value: T): Promise<T> =>
        new Promise((r) => setTimeout(() => r(value), source.service === 'redis' ? 80 : 0));
      override async read(source: LogSource, o: LogReadOptions): Promise<EngineLogLine[]> {
        return this.late(source, await super.read(source, o));
      }
      override async *follow(
        source: LogSource,
        o: LogReadOptions,
        signal: AbortSignal,
      ): AsyncIterable<EngineLogLine[]> {
        await this.late(source, undefined);
        yield* super.follow(source, o, signal);
      }
    }
    const gateway = new SlowRedisGateway();
    gateway.add('pg', 'postgres', [[57, 'pg 57']]);
    gateway.add('rd', 'redis', [
      [56, 'redis 56'],
      [58, 'redis 58'],
    ]);
    const batches: string[][] = [];
    const abort = new AbortController();
    const done = service(gateway).follow(
      { tail: 5, windowMs: 10 },
      (lines) => batches.push(lines.map((l) => l.text)),
      abort.signal,
    );
    await settle(200);
    gateway.write('pg', 59, 'pg 59');
    await settle();
    abort.abort();
    await done;
    expect(batches.flat()).toEqual(['redis 56', 'pg 57', 'redis 58', 'pg 59']);
    expect(batches[0]).toEqual(['redis 56', 'pg 57', 'redis 58']);
  });
});
