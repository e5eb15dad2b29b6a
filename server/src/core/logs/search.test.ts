import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { RegexWorkerPool } from './regex-worker.js';
import { openMatcher, REGEX_LIMITS, type LineMatcher, type SearchSpec } from './search.js';

const open: LineMatcher[] = [];
async function matcher(spec: SearchSpec, limits = REGEX_LIMITS): Promise<LineMatcher> {
  const m = await openMatcher(spec, limits);
  open.push(m);
  return m;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const regex = (query: string, caseSensitive = false): SearchSpec => ({
  query,
  regex: true,
  caseSensitive,
});

/** Runs `work` and counts how often a 10 ms timer fired meanwhile: zero means the loop was held. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; ticks: number; result: T }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  try {
    const result = await work();
    return { ms: performance.now() - started, ticks, result };
  } finally {
    clearInterval(timer);
  }
}

describe('substring search', () => {
  it('matches with and without case', async () => {
    const texts = ['an ERROR', 'an error', 'fine'];
    expect(
      await (await matcher({ query: 'Err', regex: false, caseSensitive: false })).select(texts),
    ).toEqual([0, 1]);
    expect(
      await (await matcher({ query: 'err', regex: false, caseSensitive: true })).select(texts),
    ).toEqual([1]);
  });
});

describe('regular expression search', () => {
  it('matches as JavaScript does: anchors, classes, case-insensitive unless asked', async () => {
    const texts = ['n123', 'N456', 'xn789', 'n12'];
    // One at a time: the pool runs at most two searches at once and each holds its worker.
    const once = async (spec: SearchSpec): Promise<number[]> => {
      const m = await openMatcher(spec);
      try {
        return await m.select(texts);
      } finally {
        await m.close();
      }
    };
    expect(await once(regex('^n\\d{3}$'))).toEqual([0, 1]);
    expect(await once(regex('^n\\d{3}$', true))).toEqual([0]);
    expect(await once(regex('n\\d{3}'))).toEqual([0, 1, 2]);
  });

  it('keeps indices right across many batches', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `line ${i}${i % 7 === 0 ? ' hit' : ''}`);
    const m = await matcher(regex('hit$'), { ...REGEX_LIMITS, batchLines: 9 });
    const expected = texts.flatMap((t, i) => (t.endsWith('hit') ? [i] : []));
    expect(await m.select(texts)).toEqual(expected);
    // A matcher serves more than one call (a follow sends batch after batch).
    expect(await m.select(['no', 'a hit'])).toEqual([1]);
  });

  it('refuses an invalid pattern naming the field, before any work', async () => {
    const error = await openMatcher(regex('(')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect((error as AppError).message).toMatch(/^query: not a valid regular expression/);
  });

  it('searches only the first maxLineChars characters of a long line', async () => {
    const long = `${'x'.repeat(5000)} needle`;
    const m = await matcher(regex('needle'), { ...REGEX_LIMITS, maxLineChars: 4096 });
    expect(await m.select([long, 'needle early'])).toEqual([1]);
  });

  it('stops a catastrophic pattern within its budget while the event loop keeps running', async () => {
    // `^(a+)+$` on a 30-character line held the server's event loop for 26 s (issue 17).
    const texts = ['a'.repeat(30) + '!', 'a'.repeat(4000) + '!', 'aaaa'];
    const m = await matcher(regex('^(a+)+$'));
    const { ms, ticks, result } = await timed(() => m.select(texts).catch((e: unknown) => e));
    expect(result).toBeInstanceOf(AppError);
    expect((result as AppError).code).toBe('validation_failed');
    expect((result as AppError).message).toMatch(/^query: this regular expression took longer/);
    expect(ms).toBeLessThan(1000);
    expect(ticks).toBeGreaterThan(3);
    // The stopped search stays stopped: no second batch runs.
    await expect(m.select(['aaaa'])).rejects.toThrow(/took longer/);
  });

  it('lets a pattern users write finish over many lines, long ones too', async () => {
    const texts = [
      ...Array.from({ length: 2000 }, (_, i) => `${'y'.repeat(300)} ${i}`),
      ...Array.from({ length: 3 }, () => 'y'.repeat(4096)),
      'an error then a timeout',
    ];
    const m = await matcher(regex('.*error.*timeout'));
    expect(await m.select(texts)).toEqual([texts.length - 1]);
  });

  it("runs at most the pool's limit of searches at once; the next one waits for a free worker", async () => {
    const pool = new RegexWorkerPool(1);
    const first = await openMatcher(regex('a'), REGEX_LIMITS, pool);
    let secondOpen = false;
    const second = openMatcher(regex('b'), REGEX_LIMITS, pool).then((m) => {
      secondOpen = true;
      return m;
    });
    expect(await first.select(['a', 'b'])).toEqual([0]);
    await new Promise((r) => setTimeout(r, 50));
    expect(secondOpen).toBe(false);
    await first.close();
    const m = await second;
    open.push(m);
    expect(await m.select(['a', 'b'])).toEqual([1]);
    // Closing twice gives the worker back once: a third search still gets one.
    await first.close();
    await m.close();
    const third = await openMatcher(regex('c'), REGEX_LIMITS, pool);
    open.push(third);
    expect(await third.select(['c'])).toEqual([0]);
  });
});
