'use strict';
// A minimal RESP2 client: one connection per call, AUTH and SELECT from the redis:// URL.
const net = require('node:net');
const tls = require('node:tls');

class RedisError extends Error {}

function encode(args) {
  let out = `*${args.length}\r\n`;
  const parts = [];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat([Buffer.from(out), ...parts]);
}

/** Parses one RESP value at offset; returns [value, nextOffset] or null when more data is needed. */
function parse(buf, off) {
  if (off >= buf.length) return null;
  const type = String.fromCharCode(buf[off]);
  const eol = buf.indexOf('\r\n', off);
  if (eol < 0) return null;
  const line = buf.toString('utf8', off + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new RedisError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [buf.subarray(next, next + len), next + len + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const items = [];
      let o = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, o);
        if (!r) return null;
        items.push(r[0]);
        o = r[1];
      }
      return [items, o];
    }
    default:
      throw new RedisError(`unexpected RESP type ${type}`);
  }
}

/**
 * Connects, authenticates, runs the commands in order and closes. Resolves with the last reply.
 * @param {string} redisUrl
 * @param {Array<Array<string|Buffer>>} commands
 */
function run(redisUrl, commands, timeoutMs = 3000) {
  const u = new URL(redisUrl);
  const pre = [];
  const user = decodeURIComponent(u.username || '');
  const pass = decodeURIComponent(u.password || '');
  if (pass) pre.push(user ? ['AUTH', user, pass] : ['AUTH', pass]);
  const db = u.pathname.replace(/^\//, '');
  if (db) pre.push(['SELECT', db]);
  const all = [...pre, ...commands];
  return new Promise((resolve, reject) => {
    const opts = { host: u.hostname || 'localhost', port: Number(u.port || 6379) };
    const sock =
      u.protocol === 'rediss:'
        ? tls.connect({ ...opts, servername: opts.host })
        : net.connect(opts);
    let buf = Buffer.alloc(0);
    const replies = [];
    let done = false;
    const finish = (err, val) => {
      if (done) return;
      done = true;
      sock.destroy();
      if (err) reject(err);
      else resolve(val);
    };
    sock.setTimeout(timeoutMs, () => finish(new RedisError('redis timeout')));
    sock.on('error', (e) =>
      finish(new RedisError(`redis connection failed: ${e.code || e.message}`)),
    );
    sock.on('close', () => finish(new RedisError('redis closed the connection')));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        let r;
        try {
          r = parse(buf, 0);
        } catch (e) {
          return finish(e);
        }
        if (!r) break;
        buf = buf.subarray(r[1]);
        if (r[0] instanceof RedisError) return finish(r[0]);
        replies.push(r[0]);
        if (replies.length === all.length) return finish(null, replies[replies.length - 1]);
      }
    });
    sock.write(Buffer.concat(all.map(encode)));
  });
}

module.exports = { run, RedisError };
