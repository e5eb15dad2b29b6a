// The stand-in's HTTP plumbing: bodies with limits, JSON answers, its errors, /metrics' text.
const crypto = require('node:crypto');
const { sha256 } = require('./data');

const started = Date.now();
const MAX_JSON_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

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

module.exports = {
  started,
  MAX_JSON_BYTES,
  HttpError,
  readBody,
  readJson,
  send,
  metricsAuthorized,
  countRequest,
  metricsText,
};
