'use strict';
// MediaNest backend stand-in. Contract (reference/medianest-stack.md §2-3, tests/rig/README.md):
//   node server.js          serve on HOST:PORT (0.0.0.0:4000); no other command (like the real image, it
//                           has no Prisma CLI: its schema comes as Prisma migration folders in
//                           /app/backend/prisma/migrations, applied by whoever deploys it)
// In production every route sits behind MediaNest's rate limiter (lib/rate-limit.js, reference R3);
// /health/ready never looks at PostgreSQL or Redis (reference R4).
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { loadConfig, ConfigError } = require('./lib/config');
const pg = require('./lib/pg');
const redis = require('./lib/redis');
const { KV_PREFIX, FILE_NAME, KV_KEY, sha256, listRecords, listFiles, listKv, checkDatabase, checkCache } = require('./lib/data');
const { attachSocketIo, handlePolling } = require('./lib/socket');
const { createRateLimiter, rateLimitConfig } = require('./lib/rate-limit');

const started = Date.now();
const MAX_FILE_BYTES = Number(process.env.UPLOAD_MAX_BYTES || 64 * 1024 * 1024);
const MAX_JSON_BYTES = 1024 * 1024;
const log = (level, msg, extra = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'backend', msg, ...extra })}\n`,
  );

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// ------------------------------------------------------------------ http

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `body larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req) {
  const body = await readBody(req, MAX_JSON_BYTES);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'body must be JSON');
  }
}

function send(res, status, body, headers = {}) {
  const isText = typeof body === 'string' || Buffer.isBuffer(body);
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function metricsAuthorized(cfg, req) {
  if (!cfg.production) return true;
  const header = req.headers.authorization || '';
  const m = /^Bearer (.+)$/.exec(header);
  if (!m || !cfg.metricsToken) return false;
  const a = Buffer.from(sha256(m[1]));
  const b = Buffer.from(sha256(cfg.metricsToken));
  return crypto.timingSafeEqual(a, b);
}

const requestCounts = new Map();
function countRequest(method, route, status) {
  const key = `method="${method}",route="${route}",status="${status}"`;
  requestCounts.set(key, (requestCounts.get(key) || 0) + 1);
}

function metricsText(cfg) {
  const mem = process.memoryUsage();
  const lines = [
    '# HELP medianest_up 1 while the backend serves requests.',
    '# TYPE medianest_up gauge',
    'medianest_up 1',
    '# HELP process_uptime_seconds Seconds since the backend started.',
    '# TYPE process_uptime_seconds gauge',
    `process_uptime_seconds ${((Date.now() - started) / 1000).toFixed(3)}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${mem.rss}`,
    '# HELP http_requests_total HTTP requests served.',
    '# TYPE http_requests_total counter',
    ...[...requestCounts].map(([k, v]) => `http_requests_total{${k}} ${v}`),
    `# environment ${cfg.nodeEnv}`,
  ];
  return `${lines.join('\n')}\n`;
}

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
  [
    'GET',
    /^\/api\/v1\/state$/,
    async (cfg) => {
      const [r, f, k] = await Promise.all([listRecords(cfg), listFiles(cfg), listKv(cfg)]);
      return [
        200,
        {
          records: { count: r.count, checksum: r.checksum },
          files: { count: f.count, checksum: f.checksum },
          kv: { count: k.count, checksum: k.checksum },
        },
      ];
    },
  ],
  ['GET', /^\/api\/v1\/records$/, async (cfg) => [200, await listRecords(cfg)]],
  [
    'POST',
    /^\/api\/v1\/records$/,
    async (cfg, req) => {
      const input = await readJson(req);
      if (
        !input ||
        typeof input.title !== 'string' ||
        input.title.length === 0 ||
        input.title.length > 500
      ) {
        throw new HttpError(
          400,
          'VALIDATION',
          'title must be a non-empty string of at most 500 characters',
        );
      }
      const sql = `INSERT INTO rig_records (title, body) VALUES (:'title', :'body'::jsonb)
      RETURNING jsonb_build_object('id', id, 'title', title, 'body', body, 'createdAt', created_at);`;
      const record = await pg.queryJson(cfg.databaseUrl, sql, {
        title: input.title,
        body: JSON.stringify(input.body ?? {}),
      });
      return [201, record];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/records\/(\d+)$/,
    async (cfg, req, m) => {
      const sql = `SELECT coalesce((SELECT jsonb_build_object('id', id, 'title', title, 'body', body, 'createdAt', created_at)
      FROM rig_records WHERE id = :'id'::bigint), 'null'::jsonb);`;
      const record = await pg.queryJson(cfg.databaseUrl, sql, { id: m[1] });
      if (!record) throw new HttpError(404, 'NOT_FOUND', 'no such record');
      return [200, record];
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/records\/(\d+)$/,
    async (cfg, req, m) => {
      await pg.psql(cfg.databaseUrl, `DELETE FROM rig_records WHERE id = :'id'::bigint;`, {
        id: m[1],
      });
      return [204, ''];
    },
  ],
  ['GET', /^\/api\/v1\/files$/, async (cfg) => [200, await listFiles(cfg)]],
  [
    'PUT',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name))
        throw new HttpError(400, 'VALIDATION', 'file name must match [A-Za-z0-9][A-Za-z0-9._-]*');
      const data = await readBody(req, MAX_FILE_BYTES);
      const tmp = path.join(cfg.uploadsDir, `.${name}.${process.pid}.tmp`);
      await fsp.writeFile(tmp, data);
      await fsp.rename(tmp, path.join(cfg.uploadsDir, name));
      return [201, { name, size: data.length, sha256: sha256(data) }];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name)) throw new HttpError(400, 'VALIDATION', 'bad file name');
      try {
        const data = await fsp.readFile(path.join(cfg.uploadsDir, name));
        return [200, data, { 'content-type': 'application/octet-stream' }];
      } catch {
        throw new HttpError(404, 'NOT_FOUND', 'no such file');
      }
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/files\/([^/]+)$/,
    async (cfg, req, m) => {
      const name = decodeURIComponent(m[1]);
      if (!FILE_NAME.test(name)) throw new HttpError(400, 'VALIDATION', 'bad file name');
      await fsp.rm(path.join(cfg.uploadsDir, name), { force: true });
      return [204, ''];
    },
  ],
  ['GET', /^\/api\/v1\/kv$/, async (cfg) => [200, await listKv(cfg)]],
  [
    'PUT',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key))
        throw new HttpError(400, 'VALIDATION', 'key must match [A-Za-z0-9._:-]{1,128}');
      const value = await readBody(req, MAX_JSON_BYTES);
      await redis.run(cfg.redisUrl, [['SET', KV_PREFIX + key, value]]);
      return [201, { key, size: value.length, sha256: sha256(value) }];
    },
  ],
  [
    'GET',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key)) throw new HttpError(400, 'VALIDATION', 'bad key');
      const v = await redis.run(cfg.redisUrl, [['GET', KV_PREFIX + key]]);
      if (v === null) throw new HttpError(404, 'NOT_FOUND', 'no such key');
      return [200, { key, value: v.toString('utf8'), sha256: sha256(v) }];
    },
  ],
  [
    'DELETE',
    /^\/api\/v1\/kv\/([^/]+)$/,
    async (cfg, req, m) => {
      const key = decodeURIComponent(m[1]);
      if (!KV_KEY.test(key)) throw new HttpError(400, 'VALIDATION', 'bad key');
      await redis.run(cfg.redisUrl, [['DEL', KV_PREFIX + key]]);
      return [204, ''];
    },
  ],
];

// Release v2's feature `record-tags` (its migration 20251020000000_add_record_tags): tags on records.
// An image whose release lacks the feature (v1) has no such routes: 404 like any unknown path.
const TAG = /^[A-Za-z0-9._-]{1,64}$/;
const RECORD_TAGS = /^\/api\/v1\/records\/(\d+)\/tags$/;
const RECORD_TAG = /^\/api\/v1\/records\/(\d+)\/tags\/([^/]+)$/;
const tagOf = (m) => {
  const tag = decodeURIComponent(m[2]);
  if (!TAG.test(tag)) throw new HttpError(400, 'VALIDATION', 'tag must match [A-Za-z0-9._-]{1,64}');
  return tag;
};
const FEATURE_ROUTES = {
  'record-tags': [
    [
      'GET',
      RECORD_TAGS,
      async (cfg, req, m) => {
        const sql = `SELECT CASE WHEN EXISTS (SELECT 1 FROM rig_records WHERE id = :'id'::bigint)
        THEN (SELECT coalesce(jsonb_agg(tag ORDER BY tag), '[]'::jsonb) FROM rig_record_tags
              WHERE record_id = :'id'::bigint)
        ELSE 'null'::jsonb END;`;
        const tags = await pg.queryJson(cfg.databaseUrl, sql, { id: m[1] });
        if (!tags) throw new HttpError(404, 'NOT_FOUND', 'no such record');
        return [200, { recordId: Number(m[1]), tags }];
      },
    ],
    [
      'PUT',
      RECORD_TAG,
      async (cfg, req, m) => {
        const tag = tagOf(m);
        const sql = `WITH r AS (SELECT id FROM rig_records WHERE id = :'id'::bigint),
        added AS (INSERT INTO rig_record_tags (record_id, tag) SELECT id, :'tag' FROM r
                  ON CONFLICT DO NOTHING RETURNING 1)
        SELECT to_jsonb(EXISTS (SELECT 1 FROM r));`;
        if (!(await pg.queryJson(cfg.databaseUrl, sql, { id: m[1], tag })))
          throw new HttpError(404, 'NOT_FOUND', 'no such record');
        return [201, { recordId: Number(m[1]), tag }];
      },
    ],
    [
      'DELETE',
      RECORD_TAG,
      async (cfg, req, m) => {
        const tag = tagOf(m);
        await pg.psql(
          cfg.databaseUrl,
          `DELETE FROM rig_record_tags WHERE record_id = :'id'::bigint AND tag = :'tag';`,
          { id: m[1], tag },
        );
        return [204, ''];
      },
    ],
  ],
};

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
const IDENT = '"?([A-Za-z_][A-Za-z0-9_]*)"?';
const CREATE_TABLE = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i');
const DROP_TABLE = new RegExp(`^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'i');
const ALTER_TABLE = new RegExp(
  `^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${IDENT}`,
  'i',
);
const ADD_COLUMN = new RegExp(`\\bADD\\s+COLUMN\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'gi');
const DROP_COLUMN = new RegExp(`\\bDROP\\s+COLUMN\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'gi');

/**
 * What the image's own migrations (prisma/migrations, oldest first) leave in the schema: every table
 * they create and every column they add, each with the migration that makes it. Read from the SQL as
 * Prisma writes it (CREATE TABLE, ALTER TABLE ... ADD/DROP COLUMN, DROP TABLE); indexes and
 * constraints are not checked. An image with a newer migration thus needs that migration's schema.
 */
function schemaChecks(dir = MIGRATIONS_DIR) {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+_/.test(e.name))
    .map((e) => e.name)
    .sort();
  let checks = [];
  for (const migration of names) {
    const sql = fs
      .readFileSync(path.join(dir, migration, 'migration.sql'), 'utf8')
      .replace(/--[^\n]*/g, '');
    for (const statement of sql.split(';').map((s) => s.trim())) {
      let m;
      if ((m = CREATE_TABLE.exec(statement))) checks.push({ migration, table: m[1] });
      else if ((m = DROP_TABLE.exec(statement))) {
        const table = m[1];
        checks = checks.filter((c) => c.table !== table);
      } else if ((m = ALTER_TABLE.exec(statement))) {
        const table = m[1];
        for (const [, column] of statement.matchAll(ADD_COLUMN))
          checks.push({ migration, table, column });
        for (const [, column] of statement.matchAll(DROP_COLUMN))
          checks = checks.filter((c) => !(c.table === table && c.column === column));
      }
    }
  }
  return checks;
}

/** The checks whose table or column information_schema does not show, in migration order. */
async function missingSchema(cfg, checks) {
  const tables = [...new Set(checks.map((c) => c.table))].map((t) => `'${t}'`).join(', ');
  const sql = `SELECT coalesce(string_agg(table_name || '.' || column_name, ','), '')
    FROM information_schema.columns
    WHERE table_schema = current_schema()
      AND table_name IN (${tables || "''"});`;
  const present = new Set((await pg.psql(cfg.databaseUrl, sql, {}, 5000)).trim().split(','));
  const found = new Set([...present].map((c) => c.split('.')[0]));
  return checks
    .filter((c) => (c.column ? !present.has(`${c.table}.${c.column}`) : !found.has(c.table)))
    .map((c) => ({ ...c, what: c.column ? `${c.table}.${c.column}` : `table ${c.table}` }));
}

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
    missing = await missingSchema(cfg, schemaChecks());
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
