'use strict';
// MediaNest's production rate limiter (reference R3): express-rate-limit in front of every route,
// keyed by the client's IP (no `trust proxy`, so the TCP peer: behind nginx that is nginx), 100
// requests per 15 minutes, `standardHeaders: true` (draft-6 RateLimit-* headers), in-memory store.
// Like express-rate-limit's MemoryStore (v7) each client has a fixed window that starts with its
// first request and lasts windowMs; every request in it counts, the refused ones included; request
// max+1 and every later one in that window gets 429. A window that has ended is forgotten.

class RateLimitConfigError extends Error {}

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new RateLimitConfigError(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

/**
 * The limiter's settings, or null when it is off (any NODE_ENV but production). The window and the
 * maximum can be changed only in the stand-in, so tests can shrink the window proportionally.
 */
function rateLimitConfig(env) {
  if (env.NODE_ENV !== 'production') return null;
  return {
    windowMs: positiveInt(env, 'RIG_RATE_LIMIT_WINDOW_MS', 15 * 60 * 1000),
    max: positiveInt(env, 'RIG_RATE_LIMIT_MAX', 100),
  };
}

/** The client address as express's req.ip has it without `trust proxy`. */
function clientOf(req) {
  const a = req.socket.remoteAddress || 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * hit(req) counts one request of its client and returns { limited, headers }: headers go on every
 * answer (as with standardHeaders: true); limited means answer 429. onExceeded(info) is called once
 * per client and window, with the request that crossed the limit.
 */
function createRateLimiter({ windowMs, max }, onExceeded = () => {}, now = Date.now) {
  /** client -> { hits, start, resetAt, reported } */
  const windows = new Map();
  const sweep = setInterval(() => {
    const t = now();
    for (const [client, w] of windows) if (w.resetAt <= t) windows.delete(client);
  }, Math.max(windowMs, 1000));
  sweep.unref();

  return {
    hit(req) {
      const t = now();
      const client = clientOf(req);
      let w = windows.get(client);
      if (!w || w.resetAt <= t) {
        w = { hits: 0, start: t, resetAt: t + windowMs, reported: false };
        windows.set(client, w);
      }
      w.hits += 1;
      const resetSeconds = Math.max(0, Math.ceil((w.resetAt - t) / 1000));
      const headers = {
        'RateLimit-Policy': `${max};w=${Math.ceil(windowMs / 1000)}`,
        'RateLimit-Limit': String(max),
        'RateLimit-Remaining': String(Math.max(0, max - w.hits)),
        'RateLimit-Reset': String(resetSeconds),
      };
      const limited = w.hits > max;
      if (limited) {
        headers['Retry-After'] = String(resetSeconds);
        if (!w.reported) {
          w.reported = true;
          onExceeded({
            client,
            limit: max,
            windowMs,
            requests: w.hits,
            windowStart: new Date(w.start).toISOString(),
            resetAt: new Date(w.resetAt).toISOString(),
            method: req.method,
            path: (req.url || '/').split('?')[0],
          });
        }
      }
      return { limited, headers };
    },
    /** Clients with a window open now (for tests of the memory bound). */
    size: () => windows.size,
    close: () => clearInterval(sweep),
  };
}

module.exports = { createRateLimiter, rateLimitConfig, clientOf, RateLimitConfigError };
