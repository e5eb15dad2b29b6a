import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../contract/logs-routes.js';
import { FollowerBuffer } from './follower-buffer.js';
import { detectLevel } from './level.js';
import { createMasker } from './mask.js';
import { mergeByTime, mergeStreams, ReorderWindow } from './merge.js';
import { ResumePoint } from './resume-point.js';
import { normalizeTime, parseTimeArg, toEngineTimestamp } from './time.js';

const t = (n: number): string => `2025-01-01T00:00:${String(n).padStart(2, '0')}.000000000Z`;
const line = (n: number, service = 'a', text = `line ${n}`): LogLine => ({
  time: t(n),
  service,
  container: service,
  stream: 'stdout',
  text,
});

describe('level detection', () => {
  it.each([
    ['{"level":"warn","msg":"x"}', 'warn'],
    ['{"level":50,"msg":"pino"}', 'error'],
    ['{"severity":"INFO"}', 'info'],
    ['INFO server started', 'info'],
    ['2025-01-01 12:00:00.000 UTC [1] LOG:  database system is ready', 'info'],
    ['2025-01-01 12:00:00 UTC [7] FATAL:  password authentication failed', 'error'],
    ['WARNING: something', 'warn'],
    ['2025/01/01 12:00:00 [error] 7#7: *1 connect() failed', 'error'],
    ['[info] ready', 'info'],
    ['time=2025 level=debug msg=x', 'debug'],
    ['1:M 01 Jan 2025 # Server initialized', undefined],
    // PostgreSQL writes these to stderr: the level, not the stream, says how bad a line is.
    ['2026-12-07 05:59:44.123 UTC [1] LOG:  checkpoint starting: time', 'info'],
    ['2026-12-07 05:59:44.123 UTC [1] DEBUG2:  autovacuum: processing database', 'debug'],
    ['2026-12-07 05:59:44.123 UTC [9] ERROR:  relation "x" does not exist', 'error'],
    ['initdb: warning: enabling "trust" authentication for local connections', 'warn'],
    ['pg_ctl: error: could not start server', 'error'],
    ['note: the error was fixed', undefined],
    ['1:M 07 Dec 2026 05:59:44.123 * Ready to accept connections tcp', 'info'],
    ['1:M 07 Dec 2026 05:59:44.123 # Server initialized', 'warn'],
    ['1:C 07 Dec 2026 05:59:44.123 . Client closed connection', 'debug'],
    ['1:M 07 Dec 2026 05:59:44.123 * 1 changes in 3600 seconds. Saving...', 'info'],
    ['no error was found here', undefined],
    ['plain text', undefined],
  ])('%s -> %s', (text, level) => {
    expect(detectLevel(text)).toBe(level);
  });
});

describe('merging', () => {
  it('orders lines of several services by time and keeps each one order on ties', () => {
    const a = [line(1, 'a'), line(3, 'a'), { ...line(3, 'a'), text: 'second at 3' }];
    const b = [line(2, 'b'), line(3, 'b'), line(4, 'b')];
    const merged = mergeByTime([a, b]);
    expect(merged.map((l) => `${l.service}:${l.text}`)).toEqual([
      'a:line 1',
      'b:line 2',
      'a:line 3',
      'a:second at 3',
      'b:line 3',
      'b:line 4',
    ]);
  });

  it('merges streamed batches exactly as whole lists, reading only as far as asked', async () => {
    const a = [line(1, 'a'), line(3, 'a'), { ...line(3, 'a'), text: 'second at 3' }, line(9, 'a')];
    const b = [line(2, 'b'), line(3, 'b'), line(4, 'b'), line(5, 'b'), line(6, 'b')];
    const pulled = { a: 0, b: 0 };
    async function* batches(
      list: LogLine[],
      size: number,
      name: 'a' | 'b',
    ): AsyncGenerator<LogLine[]> {
      for (let i = 0; i < list.length; i += size) {
        pulled[name] += 1;
        yield list.slice(i, i + size);
      }
    }
    const out: LogLine[] = [];
    for await (const batch of mergeStreams([batches(a, 3, 'a'), batches(b, 2, 'b')], 2))
      out.push(...batch);
    expect(out).toEqual(mergeByTime([a, b]));

    pulled.a = pulled.b = 0;
    const first = await mergeStreams([batches(a, 1, 'a'), batches(b, 1, 'b')], 2).next();
    expect(first.done).toBe(false);
    expect((first.value as LogLine[]).map((l) => l.text)).toEqual(['line 1', 'line 2']);
    expect(pulled.a + pulled.b).toBeLessThan(a.length + b.length);
  });

  it('holds live lines for the window, then releases them sorted', () => {
    let now = 0;
    const window = new ReorderWindow<LogLine>(50, () => now);
    window.add([line(5, 'a')]);
    now = 10;
    window.add([line(4, 'b')]);
    expect(window.flush()).toEqual([]);
    now = 70;
    expect(window.flush().map((l) => l.time)).toEqual([t(4), t(5)]);
  });
});

describe('follower buffer', () => {
  it('replaces dropped lines with one exact skip marker and stays bounded', () => {
    const buffer = new FollowerBuffer({ maxLines: 100, maxBytes: 1e9 });
    for (let i = 0; i < 1000; i++) {
      buffer.push([line(i % 60, 'a', `n${i}`)]);
      expect(buffer.heldLines).toBeLessThanOrEqual(100);
    }
    const items = buffer.take(10_000);
    const marker = items[0];
    expect(marker?.kind).toBe('skipped');
    const lines = items.filter((i) => i.kind === 'line');
    const skipped = items.reduce((n, i) => n + (i.kind === 'skipped' ? i.count : 0), 0);
    expect(lines.length + skipped).toBe(1000);
    expect(skipped).toBe(buffer.skipped);
    // The newest lines are the ones kept, in order.
    expect(lines.at(-1)).toMatchObject({ line: { text: 'n999' } });
    expect(items.filter((i) => i.kind === 'skipped')).toHaveLength(1);
  });

  it('loses nothing when the reader keeps up', () => {
    const buffer = new FollowerBuffer({ maxLines: 10 });
    const got: string[] = [];
    for (let i = 0; i < 100; i++) {
      buffer.push([line(1, 'a', `n${i}`)]);
      for (const item of buffer.take(5)) if (item.kind === 'line') got.push(item.line.text);
    }
    expect(got).toHaveLength(100);
    expect(buffer.skipped).toBe(0);
  });
});

describe('resume point', () => {
  it('skips exactly the lines already taken at the resume time', () => {
    const resume = new ResumePoint();
    expect([t(1), t(2), t(2)].map((x) => resume.accept(x))).toEqual([true, true, true]);
    resume.reopen();
    // The engine resends every line at t(2) (since is inclusive), then the new ones.
    expect([t(2), t(2), t(2), t(3)].map((x) => resume.accept(x))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe('masking', () => {
  it('masks every secret value, longest first', () => {
    const mask = createMasker(['abcdefgh', 'abcdefgh1234', 'short']);
    expect(mask('x abcdefgh1234 y abcdefgh short')).toBe('x [redacted] y [redacted] short');
  });
});

describe('times', () => {
  it('normalises the engine form and converts to its since parameter', () => {
    expect(normalizeTime('2025-01-01T00:00:01.5Z')).toBe('2025-01-01T00:00:01.500000000Z');
    expect(normalizeTime('2025-01-01T00:00:01Z')).toBe('2025-01-01T00:00:01.000000000Z');
    expect(toEngineTimestamp('2025-01-01T00:00:01.000000123Z')).toBe('1735689601.000000123');
    const now = new Date('2025-01-01T01:00:00Z');
    expect(parseTimeArg('15m', now, 'since')).toBe('2025-01-01T00:45:00.000000000Z');
    expect(parseTimeArg('1735689601.25', now, 'since')).toBe('2025-01-01T00:00:01.250000000Z');
    expect(() => parseTimeArg('yesterday', now, 'since')).toThrow(/since/);
  });
});
