'use strict';
// MediaNest backend stand-in. Contract (reference/medianest-stack.md §2-3, tests/rig/README.md):
//   node server.js          serve on HOST:PORT (0.0.0.0:4000); no other command (like the real image, it
//                           has no Prisma CLI: its schema comes as Prisma migration folders in
//                           /app/backend/prisma/migrations, applied by whoever deploys it)
// In production every route sits behind MediaNest's rate limiter (lib/rate-limit.js, reference R3);
// /health/ready never looks at PostgreSQL or Redis (reference R4).
const http = require('node:http');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { loadConfig, ConfigError } = require('./lib/config');
const pg = require('./lib/pg');
const redis = require('./lib/redis');
const { checkDatabase, checkCache } = require('./lib/data');
const { attachSocketIo, handlePolling } = require('./lib/socket');
const { createRateLimiter, rateLimitConfig } = require('./lib/rate-limit');
const {
  started,
  HttpError,
  send,
  metricsAuthorized,
  countRequest,
  metricsText,
} = require('./lib/http');
const { FEATURE_ROUTES } = require('./lib/features');
const { DATA_ROUTES } = require('./lib/data-routes');
const { schemaChecks, missingSchema } = require('./lib/schema');

const log = (level, msg, extra = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'backend', msg, ...extra })}\n`,
  );

/** Routes: [method, pattern, handler(cfg, req, match) -> [status, body, headers?]]. */
const routes = [
  ['GET', /^\/health$/, async () => [200, { status: 'ok', timestamp: new Date().toISOString() }]],
  [
    'GET',
    /^\/health\/live$/,
    async () => [
      200,
      {
        status: 'alive',
        timestamp: new Date().toISOString(),
        uptime: (Date.now() - started) / 1000,
      },
    ],
  ],
  [
    'GET',
    /^\/health\/ready$/,
    // Like the real one (reference R4): never looks at PostgreSQL or Redis.
    async () => [
      200,
      {
        status: 'ready',
        timestamp: new Date().toISOString(),
        checks: [
          { name: 'database', status: 'not_configured' },
          { name: 'cache', status: 'not_configured' },
        ],
      },
    ],
  ],
  [
    'GET',
    /^\/api\/health$/,
    async (cfg) => [
      200,
      {
        status: 'healthy',
        service: 'backend',
        timestamp: new Date().toISOString(),
        version: cfg.version,
        uptime: (Date.now() - started) / 1000,
      },
    ],
  ],
  [
    'GET',
    /^\/api\/v1\/health$/,
    async (cfg) => [
      200,
      {
        status: 'ok',
        timestamp: new Date().toISOString(),
        version: cfg.version,
        uptime: (Date.now() - started) / 1000,
        environment: cfg.nodeEnv,
        service: 'medianest-api',
      },
    ],
  ],
  [
    'GET',
    /^\/metrics$/,
    async (cfg, req) => {
      if (!metricsAuthorized(cfg, req))
        throw new HttpError(401, 'UNAUTHORIZED', 'metrics require a bearer token');
      return [
        200,
        metricsText(cfg),
        { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      ];
    },
  ],
  ...DATA_ROUTES,
];

const HEALTH_PATHS = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/api/health',
  '/api/v1/health',
]);

function createApp(cfg) {
  const active = [
    ...routes,
    ...cfg.release.features.flatMap((feature) => FEATURE_ROUTES[feature] || []),
  ];
  // In production every route, the health routes included, is behind the limiter (reference R3).
  // Socket.IO is not: the real server attaches it to the HTTP server ahead of express.
  const limiter = cfg.rateLimit
    ? createRateLimiter(cfg.rateLimit, (info) => log('warn', 'rate limit exceeded', info))
    : null;
  return async (req, res) => {
    const url = new URL(req.url || '/', 'http://backend');
    let route = 'unmatched';
    if (handlePolling(req, res)) return;
    if (limiter) {
      const { limited, headers } = limiter.hit(req);
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      if (limited) {
        const hit = active.find(([method, re]) => method === req.method && re.test(url.pathname));
        countRequest(req.method, hit ? hit[1].source : route, 429);
        send(res, 429, { error: 'Too many requests from this IP, please try again later.' });
        return;
      }
    }
    if (cfg.release.defect) {
      // A broken release (v2-broken): it listens, but its start-up never completed, so every
      // answer is 503; the health routes say so with its version.
      countRequest(req.method, 'not_ready', 503);
      send(
        res,
        503,
        HEALTH_PATHS.has(url.pathname)
          ? {
              status: 'unhealthy',
              service: 'backend',
              timestamp: new Date().toISOString(),
              version: cfg.version,
              error: cfg.release.defect,
            }
          : { error: { code: 'NOT_READY', message: cfg.release.defect } },
      );
      return;
    }
    try {
      const candidates = active.filter(([, re]) => re.test(url.pathname));
      if (candidates.length === 0)
        throw new HttpError(404, 'NOT_FOUND', `no route for ${url.pathname}`);
      const hit = candidates.find(([method]) => method === req.method);
      if (!hit) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} not allowed`);
      route = hit[1].source;
      const [status, body, headers] = await hit[2](cfg, req, hit[1].exec(url.pathname));
      countRequest(req.method, route, status);
      send(res, status, body, headers);
    } catch (e) {
      const status =
        e instanceof HttpError
          ? e.status
          : e instanceof redis.RedisError || e instanceof pg.PgError
            ? 503
            : 500;
      const code =
        e instanceof HttpError ? e.code : status === 503 ? 'DEPENDENCY_UNAVAILABLE' : 'INTERNAL';
      if (status >= 500)
        log('error', 'request failed', {
          method: req.method,
          path: url.pathname,
          error: e.message,
        });
      countRequest(req.method, route, status);
      if (!res.headersSent) send(res, status, { error: { code, message: e.message } });
      else res.destroy();
    }
  };
}

// ------------------------------------------------------------------ lifecycle

async function waitFor(what, fn, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const r = await fn();
    if (r.status !== 'error') return;
    if (Date.now() > deadline) throw new Error(`${what} unreachable: ${r.error}`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

// The release this image is (release.json beside server.js: `version`, `features`, `defect`; see
// tests/rig/README.md "Backend versions"). An image without the file is v1.
function loadRelease(file = path.join(__dirname, 'release.json')) {
  let release;
  try {
    release = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return { version: 'v1', features: [] };
    throw new Error(`${file}: ${e.message}`);
  }
  return { features: [], ...release };
}

// Beside server.js in the rig's image; in the working directory (/app/backend) or one folder up from
// dist/ in an image built from a MediaNest-shaped checkout (tests/fixtures/medianest-source).
const MIGRATIONS_DIR =
  [
    path.join(__dirname, 'prisma', 'migrations'),
    path.join(process.cwd(), 'prisma', 'migrations'),
    path.join(__dirname, '..', 'prisma', 'migrations'),
  ].find((dir) => fs.existsSync(dir)) ?? path.join(__dirname, 'prisma', 'migrations');
async function serve() {
  const release = loadRelease();
  if (!Array.isArray(release.features) || typeof release.version !== 'string')
    throw new Error('release.json: version must be a string and features a list');
  let cfg;
  try {
    cfg = {
      ...loadConfig(process.env, release),
      release,
      rateLimit: rateLimitConfig(process.env),
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(
      `SECRET VALIDATION FAILED\n${e.message
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
    );
    process.exit(1);
  }
  await fsp.mkdir(cfg.uploadsDir, { recursive: true });
  fs.accessSync(cfg.uploadsDir, fs.constants.W_OK);

  // The real backend initialises DB and Redis before listening and exits 1 when either fails.
  const retry = Number(process.env.STARTUP_RETRY_SECONDS || 15);
  try {
    await Promise.all([
      waitFor('database', () => checkDatabase(cfg), retry),
      waitFor('redis', () => checkCache(cfg), retry),
    ]);
  } catch (e) {
    log('error', 'startup failed', { error: e.message });
    process.exit(1);
  }
  // The real backend cannot serve without the tables of its migrations, the latest included.
  let missing;
  try {
    missing = await missingSchema(cfg, schemaChecks(MIGRATIONS_DIR));
  } catch (e) {
    log('error', 'startup failed', { error: `schema check: ${e.message}` });
    process.exit(1);
  }
  if (missing.length > 0) {
    const byMigration = new Map();
    for (const m of missing)
      byMigration.set(m.migration, [...(byMigration.get(m.migration) || []), m.what]);
    const parts = [...byMigration].map(
      ([migration, what]) => `${what.join(', ')} missing (migration ${migration} not applied)`,
    );
    process.stderr.write(`database schema is behind: ${parts.join('; ')}; refusing to serve\n`);
    process.exit(1);
  }

  const server = http.createServer(createApp(cfg));
  server.keepAliveTimeout = 61000;
  server.headersTimeout = 65000;
  const sockets = attachSocketIo(server);
  server.listen(cfg.port, cfg.host, () => {
    log('info', `listening on ${cfg.host}:${cfg.port}`, {
      env: cfg.nodeEnv,
      version: cfg.version,
      rateLimit: cfg.rateLimit ?? 'off',
    });
    if (release.defect)
      log('error', 'startup incomplete; answering 503', { error: release.defect });
  });

  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal} received, shutting down`);
    // the real server force-exits with 1 after 10 s
    setTimeout(() => process.exit(1), 10000).unref();
    sockets.closeAll();
    server.close(() => {
      log('info', 'server closed');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main() {
  if (process.argv[2] && process.argv[2] !== 'serve') {
    process.stderr.write(`unknown command: ${process.argv[2]} (expected: serve)\n`);
    process.exit(2);
  }
  await serve();
}

main().catch((e) => {
  log('error', 'fatal', { error: e.message });
  process.exit(1);
});
