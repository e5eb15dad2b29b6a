'use strict';
// Lightweight stand-ins for MediaNest's profile services, one kind per image:
//   node standin.js grafana | pgadmin | redis-commander | mailhog
// Each listens on the real image's port, serves the real image's health endpoint, and takes its
// password from the same variable or secret file as the real image. Contracts: tests/rig/README.md.
const http = require('node:http');
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const kind = process.argv[2];
const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: kind, msg, ...extra })}\n`);
const fail = (msg) => {
  process.stderr.write(`${kind}: ${msg}\n`);
  process.exit(1);
};
const readSecret = (file) => {
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    return fail(`cannot read ${file}: ${e.code}`);
  }
};
const equal = (a, b) => {
  const x = crypto.createHash('sha256').update(String(a)).digest();
  const y = crypto.createHash('sha256').update(String(b)).digest();
  return crypto.timingSafeEqual(x, y);
};
const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const text = (res, status, body, type = 'text/plain; charset=utf-8') => {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
};
const html = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const basicAuth = (req) => {
  const m = /^Basic (.+)$/.exec(req.headers.authorization || '');
  if (!m) return null;
  const s = Buffer.from(m[1], 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? null : { user: s.slice(0, i), pass: s.slice(i + 1) };
};
const readBody = (req, limit = 1 << 20) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > limit) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
const writableDir = (dir, marker) => {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, marker), `${new Date().toISOString()}\n`, { flag: 'a' });
  } catch (e) {
    fail(`${dir} is not writable (${e.code}); check the ownership of the mounted folder`);
  }
};
const listenOn = (servers) => {
  for (const [server, port, host] of servers) server.listen(port, host, () => log(`listening on ${host}:${port}`));
  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    log(`${sig} received, shutting down`);
    setTimeout(() => process.exit(0), 3000).unref();
    let open = servers.length;
    for (const [server] of servers) {
      server.close(() => (--open === 0 ? process.exit(0) : undefined));
      if (server.closeIdleConnections) server.closeIdleConnections();
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
};
const splitAddr = (addr, defPort) => {
  const i = addr.lastIndexOf(':');
  return { host: (i >= 0 ? addr.slice(0, i) : addr) || '0.0.0.0', port: Number(i >= 0 ? addr.slice(i + 1) : defPort) };
};

// ---------------------------------------------------------------- grafana (grafana/grafana)
function grafana() {
  // Grafana reads any GF_<SECTION>_<KEY>__FILE (double underscore) from a file; a single-underscore
  // GF_SECURITY_ADMIN_PASSWORD_FILE (as MediaNest's compose writes it) is not a Grafana setting.
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GF_') && k.endsWith('__FILE') && v) process.env[k.slice(0, -6)] = readSecret(v);
  }
  const user = process.env.GF_SECURITY_ADMIN_USER || 'admin';
  const pass = process.env.GF_SECURITY_ADMIN_PASSWORD || 'admin';
  const dataDir = process.env.GF_PATHS_DATA || '/var/lib/grafana';
  const port = Number(process.env.GF_SERVER_HTTP_PORT || 3000);
  writableDir(dataDir, 'grafana.db');
  const authed = (req) => {
    const c = basicAuth(req);
    return c !== null && equal(c.user, user) && equal(c.pass, pass);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/api/health') return json(res, 200, { commit: 'rig', database: 'ok', version: '10.1.0-rig' });
    if (url.pathname === '/login') return text(res, 200, html('Grafana', '<p>Grafana stand-in</p>'), 'text/html');
    if (url.pathname.startsWith('/api/')) {
      if (!authed(req)) return json(res, 401, { message: 'Unauthorized' });
      if (url.pathname === '/api/user') return json(res, 200, { id: 1, login: user, isGrafanaAdmin: true });
      if (url.pathname === '/api/search') return json(res, 200, []);
      if (url.pathname === '/api/datasources') return json(res, 200, []);
      return json(res, 404, { message: 'Not found' });
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/login' });
      return res.end();
    }
    return text(res, 404, html('Grafana', '<p>Page not found</p>'), 'text/html');
  });
  listenOn([[server, port, '0.0.0.0']]);
}

// ---------------------------------------------------------------- pgadmin (dpage/pgadmin4)
function pgadmin() {
  const email = process.env.PGADMIN_DEFAULT_EMAIL;
  let pass = process.env.PGADMIN_DEFAULT_PASSWORD;
  if (!pass && process.env.PGADMIN_DEFAULT_PASSWORD_FILE) pass = readSecret(process.env.PGADMIN_DEFAULT_PASSWORD_FILE);
  if (!email || !pass) {
    fail('You need to define the PGADMIN_DEFAULT_EMAIL and PGADMIN_DEFAULT_PASSWORD or PGADMIN_DEFAULT_PASSWORD_FILE environment variables.');
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail(`'${email}' does not appear to be a valid email address.`);
  const port = Number(process.env.PGADMIN_LISTEN_PORT || 80);
  const host = process.env.PGADMIN_LISTEN_ADDRESS || '0.0.0.0';
  writableDir('/var/lib/pgadmin', 'pgadmin4.db');
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/misc/ping') return text(res, 200, 'PING');
    if (url.pathname === '/login' && req.method === 'GET') return text(res, 200, html('pgAdmin 4', '<form method="post" action="/authenticate/login"></form>'), 'text/html');
    if (url.pathname === '/authenticate/login' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const ok = equal(form.get('email') || '', email) && equal(form.get('password') || '', pass);
      res.writeHead(ok ? 302 : 401, ok ? { location: '/browser/' } : { 'content-type': 'text/plain' });
      return res.end(ok ? '' : 'Incorrect username or password.');
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: '/login' });
      return res.end();
    }
    return text(res, 404, 'Not Found');
  });
  listenOn([[server, port, host]]);
}

// ---------------------------------------------------------------- redis-commander (rediscommander/redis-commander)
function redisCommander() {
  const secret = (name) => process.env[name] || (process.env[`${name}_FILE`] ? readSecret(process.env[`${name}_FILE`]) : '');
  // REDIS_HOSTS: "label:host:port:db:password" entries, comma separated; else REDIS_HOST/PORT/DB/PASSWORD
  const hosts = (process.env.REDIS_HOSTS || '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const parts = entry.split(':');
      if (parts.length === 1) return { label: 'local', host: parts[0], port: 6379, db: 0, password: '' };
      const [label, host, port = '6379', db = '0', ...pw] = parts;
      return { label, host, port: Number(port), db: Number(db), password: pw.join(':') };
    });
  if (hosts.length === 0) {
    hosts.push({
      label: 'local', host: process.env.REDIS_HOST || 'localhost', port: Number(process.env.REDIS_PORT || 6379),
      db: Number(process.env.REDIS_DB || 0), password: secret('REDIS_PASSWORD'),
    });
  }
  const httpUser = process.env.HTTP_USER || '';
  const httpPass = secret('HTTP_PASSWORD');
  const port = Number(process.env.PORT || 8081);
  const ping = (h) =>
    new Promise((resolve) => {
      const sock = net.connect(h.port, h.host);
      let buf = '';
      const cmds = [];
      if (h.password) cmds.push(['AUTH', h.password]);
      cmds.push(['PING']);
      const done = (r) => {
        sock.destroy();
        resolve(r);
      };
      sock.setTimeout(3000, () => done({ ok: false, error: 'timeout' }));
      sock.on('error', (e) => done({ ok: false, error: e.code || e.message }));
      sock.on('data', (d) => {
        buf += d.toString();
        if (buf.startsWith('-')) return done({ ok: false, error: buf.trim() });
        if (buf.includes('PONG')) return done({ ok: true });
        return undefined;
      });
      sock.write(cmds.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
    });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/favicon.png' || url.pathname === '/healthcheck') return text(res, 200, 'ok');
    if (httpUser) {
      const c = basicAuth(req);
      if (!c || !equal(c.user, httpUser) || !equal(c.pass, httpPass)) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="Redis Commander"' });
        return res.end();
      }
    }
    if (url.pathname === '/apiv2/server/info' || url.pathname === '/apiv2/connections') {
      const result = await Promise.all(hosts.map(async (h) => ({ label: h.label, host: h.host, port: h.port, db: h.db, ...(await ping(h)) })));
      return json(res, result.every((r) => r.ok) ? 200 : 503, result);
    }
    if (url.pathname === '/') return text(res, 200, html('Redis Commander', `<p>${hosts.length} connection(s)</p>`), 'text/html');
    return text(res, 404, 'Not Found');
  });
  listenOn([[server, port, '0.0.0.0']]);
}

// ---------------------------------------------------------------- mailhog (mailhog/mailhog)
function mailhog() {
  const messages = [];
  const smtp = splitAddr(process.env.MH_SMTP_BIND_ADDR || '0.0.0.0:1025', 1025);
  const api = splitAddr(process.env.MH_API_BIND_ADDR || process.env.MH_UI_BIND_ADDR || '0.0.0.0:8025', 8025);
  const smtpServer = net.createServer((sock) => {
    let buf = '';
    let inData = false;
    let msg = { from: '', to: [], data: '' };
    sock.write('220 mailhog.example ESMTP MailHog\r\n');
    sock.on('error', () => sock.destroy());
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          msg.data = buf.slice(0, end).replace(/^\.\./gm, '.');
          buf = buf.slice(end + 5);
          inData = false;
          messages.unshift({ ID: crypto.randomUUID(), ...msg, created: new Date().toISOString() });
          msg = { from: '', to: [], data: '' };
          sock.write('250 Ok: queued\r\n');
          continue;
        }
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        const line = buf.slice(0, eol);
        buf = buf.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'HELO' || verb === 'EHLO') sock.write('250-Hello\r\n250 PIPELINING\r\n');
        else if (verb === 'MAIL') { msg.from = line.replace(/^MAIL FROM:\s*/i, ''); sock.write('250 Sender ok\r\n'); }
        else if (verb === 'RCPT') { msg.to.push(line.replace(/^RCPT TO:\s*/i, '')); sock.write('250 Recipient ok\r\n'); }
        else if (verb === 'DATA') { inData = true; sock.write('354 End data with <CR><LF>.<CR><LF>\r\n'); }
        else if (verb === 'RSET') { msg = { from: '', to: [], data: '' }; sock.write('250 Ok\r\n'); }
        else if (verb === 'NOOP') sock.write('250 Ok\r\n');
        else if (verb === 'QUIT') { sock.end('221 Bye\r\n'); return; }
        else sock.write('502 Command not implemented\r\n');
      }
    });
  });
  const shape = (m) => ({
    ID: m.ID, From: m.from, To: m.to, Created: m.created,
    Content: { Headers: {}, Body: m.data.split('\r\n\r\n').slice(1).join('\r\n\r\n'), Size: m.data.length },
    Raw: { From: m.from, To: m.to, Data: m.data },
  });
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/api/v2/messages' && req.method === 'GET') {
      return json(res, 200, { total: messages.length, count: messages.length, start: 0, items: messages.map(shape) });
    }
    if (url.pathname === '/api/v1/messages' && req.method === 'GET') return json(res, 200, messages.map(shape));
    if (url.pathname === '/api/v1/messages' && req.method === 'DELETE') {
      messages.length = 0;
      return text(res, 200, '');
    }
    if (url.pathname === '/') return text(res, 200, html('MailHog', `<p>${messages.length} message(s)</p>`), 'text/html');
    return text(res, 404, '404 page not found\n');
  });
  listenOn([[smtpServer, smtp.port, smtp.host], [httpServer, api.port, api.host]]);
}

const kinds = { grafana, pgadmin, 'redis-commander': redisCommander, mailhog };
if (!kinds[kind]) fail(`unknown stand-in kind (expected one of ${Object.keys(kinds).join(', ')})`);
kinds[kind]();
