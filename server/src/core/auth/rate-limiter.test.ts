import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

function limiter(maxKeys?: number) {
  let now = 1_000_000;
  const limit = new RateLimiter({
    maxAttempts: 5,
    windowMs: 15 * 60_000,
    now: () => now,
    ...(maxKeys === undefined ? {} : { maxKeys }),
  });
  return { limit, advance: (ms: number) => (now += ms) };
}

describe('the sign-in rate limiter', () => {
  it('allows five failures, then refuses with the time to wait', () => {
    const { limit, advance } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(limit.check('10.0.0.5')).toEqual({ allowed: true });
      limit.fail('10.0.0.5');
      advance(60_000);
    }
    // The first failure was 5 minutes ago: it leaves the 15-minute window in 10 minutes.
    expect(limit.check('10.0.0.5')).toEqual({ allowed: false, retryAfterMs: 10 * 60_000 });
  });

  it('allows again once the oldest failure leaves the window', () => {
    const { limit, advance } = limiter();
    for (let i = 0; i < 5; i++) limit.fail('a');
    advance(15 * 60_000 - 1);
    expect(limit.check('a').allowed).toBe(false);
    advance(1);
    expect(limit.check('a')).toEqual({ allowed: true });
  });

  it('counts each client address on its own', () => {
    const { limit } = limiter();
    for (let i = 0; i < 5; i++) limit.fail('a');
    expect(limit.check('a').allowed).toBe(false);
    expect(limit.check('b').allowed).toBe(true);
  });

  it('forgets a client after a right password', () => {
    const { limit } = limiter();
    for (let i = 0; i < 4; i++) limit.fail('a');
    limit.reset('a');
    for (let i = 0; i < 4; i++) limit.fail('a');
    expect(limit.check('a').allowed).toBe(true);
  });

  it('tracks a bounded number of addresses, forgetting the stalest', () => {
    const { limit } = limiter(100);
    for (let i = 0; i < 1000; i++) limit.fail(`client-${i}`);
    expect(limit.trackedKeys).toBe(100);
    for (let i = 0; i < 5; i++) limit.fail('client-999');
    expect(limit.check('client-999').allowed).toBe(false);
  });
});
