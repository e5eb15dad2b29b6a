import { AppError } from '../app-error.js';
import {
  regexWorkers,
  RegexWorkerError,
  type RegexWorker,
  type RegexWorkerPool,
} from './regex-worker.js';
import { messageOf } from '../../contract/errors.js';

export interface SearchSpec {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

/** Picks the lines of a batch that match: their indices, in order. */
export interface LineMatcher {
  select(texts: readonly string[]): Promise<number[]>;
  /** Ends the worker of a regex search; a substring matcher has nothing to end. */
  close(): Promise<void>;
}

export interface RegexLimits {
  /** Wall time one batch may take in the worker before the search is refused. */
  batchBudgetMs: number;
  /** A regex sees only this many characters of each line (the rest of a long line is not searched). */
  maxLineChars: number;
  /** A batch holds at most this many lines and this many characters. */
  batchLines: number;
  batchChars: number;
}

/**
 * A catastrophic pattern (`^(a+)+$`) is stopped after one batch: 250 ms. A quadratic one that users
 * do write (`.*error.*timeout`) takes about 45 ms on a 4096-character line here, so one batch holds
 * about that much text: such a search still finishes on a loaded machine, a batch at a time.
 */
export const REGEX_LIMITS: RegexLimits = {
  batchBudgetMs: 250,
  maxLineChars: 4096,
  batchLines: 256,
  batchChars: 4096,
};

function compile(spec: SearchSpec): RegExp {
  try {
    return new RegExp(spec.query, spec.caseSensitive ? '' : 'i');
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `query: not a valid regular expression (${messageOf(error)})`,
      { field: 'query' },
    );
  }
}

function substringMatcher(spec: SearchSpec): LineMatcher {
  const needle = spec.caseSensitive ? spec.query : spec.query.toLowerCase();
  const matches = spec.caseSensitive
    ? (text: string) => text.includes(needle)
    : (text: string) => text.toLowerCase().includes(needle);
  return {
    select: async (texts) => texts.flatMap((text, i) => (matches(text) ? [i] : [])),
    close: async () => undefined,
  };
}

const tooSlow = (limits: RegexLimits): AppError =>
  new AppError(
    'validation_failed',
    `query: this regular expression took longer than ${limits.batchBudgetMs} ms on ${limits.batchChars} characters of log and was stopped; ` +
      'nested repeats such as (a+)+ or (a|a)* try every split of a line, so simplify the pattern or search for a plain substring',
    { field: 'query', budgetMs: limits.batchBudgetMs },
  );

/**
 * A regex search off the event loop: JavaScript's engine backtracks, and one pattern can hold a
 * thread for minutes, so the matching runs in a worker that is stopped when a batch overruns its
 * budget. Batches go one at a time; `select` splits what it is given.
 */
class WorkerRegexMatcher implements LineMatcher {
  private busy: Promise<unknown> = Promise.resolve();
  private dead: AppError | undefined;
  private closed = false;

  constructor(
    private readonly re: RegExp,
    private readonly limits: RegexLimits,
    private readonly pool: RegexWorkerPool,
    private readonly worker: RegexWorker,
  ) {}

  select(texts: readonly string[]): Promise<number[]> {
    const run = this.busy.then(() => this.selectAll(texts));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async selectAll(texts: readonly string[]): Promise<number[]> {
    const { maxLineChars, batchLines, batchChars } = this.limits;
    const hits: number[] = [];
    let start = 0;
    while (start < texts.length) {
      const batch: string[] = [];
      let chars = 0;
      while (
        start + batch.length < texts.length &&
        batch.length < batchLines &&
        chars < batchChars
      ) {
        const text = texts[start + batch.length] ?? '';
        const clipped = text.length > maxLineChars ? text.slice(0, maxLineChars) : text;
        batch.push(clipped);
        chars += clipped.length;
      }
      for (const i of await this.batch(batch)) hits.push(start + i);
      start += batch.length;
    }
    return hits;
  }

  private async batch(texts: string[]): Promise<number[]> {
    if (this.dead) throw this.dead;
    try {
      return await this.worker.run(this.re.source, this.re.flags, texts, this.limits.batchBudgetMs);
    } catch (error) {
      this.dead =
        error instanceof RegexWorkerError && error.reason === 'over_budget'
          ? tooSlow(this.limits)
          : new AppError('internal', 'The search worker failed.', undefined, { cause: error });
      throw this.dead;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.busy;
    this.dead ??= new AppError('internal', 'The search has ended.');
    this.pool.give(this.worker);
  }
}

/**
 * The matcher for one search. Lines are masked before they are matched, so a search cannot be used
 * to probe for a secret's value. Regular expressions are JavaScript's, without flags from the user,
 * matched in a worker under a time budget against the first `maxLineChars` characters of each line;
 * the pattern length is capped by the contract. Close it when the search ends.
 */
export async function openMatcher(
  spec: SearchSpec,
  limits: RegexLimits = REGEX_LIMITS,
  pool: RegexWorkerPool = regexWorkers,
): Promise<LineMatcher> {
  if (!spec.regex) return substringMatcher(spec);
  // Compiled here first so a bad pattern is refused with its field before a worker is taken.
  const re = compile(spec);
  return new WorkerRegexMatcher(re, limits, pool, await pool.take());
}
