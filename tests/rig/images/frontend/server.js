'use strict';
// MediaNest frontend stand-in: GET /api/health -> {status:"ok"}, the MediaNest page at /, and every
// other /api/* request proxied to BACKEND_URL (default http://backend:4000). PORT 3000, HOSTNAME 0.0.0.0.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const port = Number(process.env.PORT || 3000);
const host = process.env.HOSTNAME || '0.0.0.0';
const backend = new URL(process.env.BACKEND_URL || 'http://backend:4000');
const page = fs.readFileSync(path.join(__dirname, 'index.html'));
const log = (level, msg, extra = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'frontend', msg, ...extra })}\n`,
  );

function proxy(req, res) {
  const headers = {
    ...req.headers,
    host: backend.host,
    'x-forwarded-for': req.socket.remoteAddress || '',
  };
  const upstream = http.request(
    {
      protocol: backend.protocol,
      hostname: backend.hostname,
      port: backend.port || 80,
      method: req.method,
      path: req.url,
      headers,
      timeout: 30000,
    },
    (up) => {
      res.writeHead(up.statusCode || 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', (e) => {
    log('warn', 'backend unreachable', { error: e.message });
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: 'backend unreachable' } }));
    } else res.destroy();
  });
  req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://frontend');
  if (url.pathname === '/api/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', timestamp: new Date().toISOString() }));
  } else if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    proxy(req, res);
  } else if (req.method === 'GET' || req.method === 'HEAD') {
    res.writeHead(url.pathname === '/' ? 200 : 404, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': page.length,
    });
    res.end(req.method === 'HEAD' ? undefined : page);
  } else {
    res.writeHead(405, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} not allowed` },
      }),
    );
  }
});
server.keepAliveTimeout = 61000;
server.listen(port, host, () =>
  log('info', `listening on ${host}:${port}`, { backend: backend.origin }),
);

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log('info', `${signal} received, shutting down`);
  setTimeout(() => process.exit(1), 10000).unref();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
