import { ApiError } from '@contract';

/** Waits between attempts: quick at first (a restart is often over in a second), then capped. */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15_000];

/**
 * Whether trying again can help: the server unreachable (`network`, a fetch that failed while
 * containers were recreated), busy, or failing inside. A request it refused (bad input, not
 * signed in, not found) fails the same way every time.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return (
    error.code === 'network' ||
    error.code === 'busy' ||
    error.status >= 500 ||
    [408, 429].includes(error.status)
  );
}

export interface RetryOptions {
  delaysMs?: readonly number[];
  /** Told of each failed attempt that will be retried, so the page can say it is retrying. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Becomes true when a newer load replaced this one: then it stops quietly. */
  superseded?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** Raised when a newer load took over; the caller drops the result. */
export class Superseded extends Error {}

/**
 * Runs `load` until it succeeds, waiting longer between attempts up to the last delay, for as long
 * as failures are transient: a page recovers by itself once the server answers again, without a
 * reload. A failure that cannot heal is thrown at once.
 */
export async function withRetry<T>(load: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? RETRY_DELAYS_MS;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    if (options.superseded?.()) throw new Superseded();
    try {
      return await load();
    } catch (error) {
      if (!isTransient(error)) throw error;
      options.onRetry?.(error, attempt);
      await sleep(delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000);
    }
  }
}
