import { describe, expect, it } from 'vitest';
import { ApiError } from '@contract';
import { isTransient, Superseded, withRetry } from './retry';

const offline = () => new ApiError('network', 'Failed to fetch', 0);

describe('loads that retry', () => {
  it('keep trying through a server that is away, longer apart, and return what it answers', async () => {
    const waits: number[] = [];
    let calls = 0;
    const seen: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 5) throw offline();
        return 'secrets';
      },
      {
        delaysMs: [10, 20, 40],
        sleep: async (ms) => void waits.push(ms),
        onRetry: (_, attempt) => seen.push(attempt),
      },
    );
    expect(result).toBe('secrets');
    expect(waits).toEqual([10, 20, 40, 40]);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('give up at once on a request the server refused', async () => {
    let calls = 0;
    const refused = new ApiError('validation_failed', 'httpPort: bad', 422);
    await expect(
      withRetry(
        async () => {
          calls++;
          throw refused;
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('stop when a newer load took over', async () => {
    let current = 1;
    const mine = 1;
    await expect(
      withRetry(
        async () => {
          current = 2;
          throw offline();
        },
        { superseded: () => mine !== current, sleep: async () => undefined },
      ),
    ).rejects.toBeInstanceOf(Superseded);
  });

  it('call a server error, a busy server and a lost connection transient; bad input not', () => {
    expect(isTransient(offline())).toBe(true);
    expect(isTransient(new ApiError('internal', 'x', 500))).toBe(true);
    expect(isTransient(new ApiError('engine_unavailable', 'x', 503))).toBe(true);
    expect(isTransient(new TypeError('Failed to fetch'))).toBe(true);
    expect(isTransient(new ApiError('unauthorized', 'x', 401))).toBe(false);
    expect(isTransient(new ApiError('not_found', 'x', 404))).toBe(false);
  });
});
