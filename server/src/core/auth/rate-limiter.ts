export interface RateLimitOptions {
  /** Failed attempts allowed per key within `windowMs`. */
  maxAttempts: number;
  windowMs: number;
  now: () => number;
  /** Keys tracked at most; the stalest are forgotten first, so memory stays bounded. */
  maxKeys?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** 5 failed sign-ins per client address in 15 minutes, then wait. */
export const LOGIN_RATE_LIMIT = { maxAttempts: 5, windowMs: 15 * 60_000 } as const;

/**
 * Counts failed attempts per key (a client address) in a sliding window. `check` before the costly
 * password check, `fail` after a wrong password, `reset` after a right one.
 */
export class RateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  private recent(key: string): number[] {
    const since = this.options.now() - this.options.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  check(key: string): RateDecision {
    const times = this.recent(key);
    if (times.length < this.options.maxAttempts) return { allowed: true };
    // Allowed again when the oldest failure that still counts leaves the window.
    const oldest = times[times.length - this.options.maxAttempts] ?? this.options.now();
    return { allowed: false, retryAfterMs: oldest + this.options.windowMs - this.options.now() };
  }

  fail(key: string): void {
    const times = this.recent(key);
    times.push(this.options.now());
    // Only the last maxAttempts failures matter for the decision.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.options.maxAttempts));
    while (this.failures.size > this.maxKeys) {
      const stalest = this.failures.keys().next().value;
      if (stalest === undefined) break;
      this.failures.delete(stalest);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  get trackedKeys(): number {
    return this.failures.size;
  }
}
