'use strict';
// The backend's deep check, run by the appliance inside the backend's own container (docker exec):
// from the backend's network namespace, it logs in to PostgreSQL and Redis with the backend's own
// credentials (its DATABASE_URL and REDIS_URL secrets) and says what each answered. MediaNest's
// /health/ready checks neither (reference R4), and each HTTP request would spend the backend's
// rate-limit budget (R3): this sends none. Needs only `node`, which every MediaNest image has.
//
// Output, one line: "database: ok, cache: ok" (exit 0) or e.g. "database: error (password
// authentication failed for user "medianest"), cache: ok" (exit 1). Never a password or a URL.
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');

const TIMEOUT_MS = 4000;

function secret(name) {
  try {
    return fs.readFileSync(`/run/secrets/${name}`, 'utf8').trim();
  } catch {
    return process.env[name.toUpperCase()];
  }
}

/** A socket to host:port; `onData` gets each chunk; resolves with what `done` decides. */
function talk(host, port, start) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (message) => {
      socket.destroy();
      reject(new Error(message));
    };
    const timer = setTimeout(
      () => fail(`no answer from ${host}:${port} within ${TIMEOUT_MS / 1000} s`),
      TIMEOUT_MS,
    );
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
        reject(new Error(`${host} is not on the network (is it running?)`));
      else if (e.code === 'ECONNREFUSED')
        reject(new Error(`${host}:${port} refused the connection`));
      else reject(new Error(`${host}:${port}: ${e.code || e.message}`));
    });
    const done = (value) => {
      clearTimeout(timer);
      socket.end();
      resolve(value);
    };
    socket.on('connect', () => start(socket, done, fail));
  });
}

// PostgreSQL's wire protocol, as much as a login needs: startup, cleartext/MD5/SCRAM-SHA-256.
function message(type, body) {
  const head = Buffer.alloc(type ? 5 : 4);
  if (type) head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, type ? 1 : 0);
  return Buffer.concat([head, body]);
}
const cstring = (text) => Buffer.from(`${text}\0`, 'utf8');

function errorText(body) {
  const fields = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    fields[String.fromCharCode(body[at])] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return fields.M || 'error';
}

function scram(password) {
  const nonce = nodeCrypto.randomBytes(18).toString('base64');
  const firstBare = `n=*,r=${nonce}`;
  return {
    first: `n,,${firstBare}`,
    final(serverFirst) {
      const parts = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      if (!parts.r || !parts.r.startsWith(nonce))
        throw new Error('the server answered SCRAM wrongly');
      const salted = nodeCrypto.pbkdf2Sync(
        password.normalize('NFKC'),
        Buffer.from(parts.s, 'base64'),
        Number(parts.i),
        32,
        'sha256',
      );
      const clientKey = nodeCrypto.createHmac('sha256', salted).update('Client Key').digest();
      const stored = nodeCrypto.createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${parts.r}`;
      const signature = nodeCrypto
        .createHmac('sha256', stored)
        .update(`${firstBare},${serverFirst},${withoutProof}`)
        .digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      return `${withoutProof},p=${proof.toString('base64')}`;
    },
  };
}

function checkPostgres(url) {
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  return talk(url.hostname, Number(url.port || 5432), (socket, done, fail) => {
    let pending = Buffer.alloc(0);
    let sasl;
    const version = Buffer.alloc(4);
    version.writeInt32BE(196608);
    socket.write(
      message(
        '',
        Buffer.concat([
          version,
          cstring('user'),
          cstring(user),
          cstring('database'),
          cstring(database),
          Buffer.from([0]),
        ]),
      ),
    );
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
        const type = String.fromCharCode(pending[0]);
        const body = pending.subarray(5, 1 + pending.readInt32BE(1));
        pending = pending.subarray(1 + pending.readInt32BE(1));
        if (type === 'E') return fail(errorText(body));
        if (type === 'Z') {
          socket.write(message('X', Buffer.alloc(0)));
          return done('ok');
        }
        if (type !== 'R') continue;
        const code = body.readInt32BE(0);
        if (code === 3) socket.write(message('p', cstring(password)));
        else if (code === 5) {
          const inner = nodeCrypto
            .createHash('md5')
            .update(password + user)
            .digest('hex');
          const outer = nodeCrypto
            .createHash('md5')
            .update(inner)
            .update(body.subarray(4, 8))
            .digest('hex');
          socket.write(message('p', cstring(`md5${outer}`)));
        } else if (code === 10) {
          if (!body.toString('utf8', 4).split('\0').includes('SCRAM-SHA-256'))
            return fail('PostgreSQL offers no login this check knows');
          sasl = scram(password);
          const first = Buffer.from(sasl.first);
          const length = Buffer.alloc(4);
          length.writeInt32BE(first.length);
          socket.write(message('p', Buffer.concat([cstring('SCRAM-SHA-256'), length, first])));
        } else if (code === 11) {
          try {
            socket.write(message('p', Buffer.from(sasl.final(body.toString('utf8', 4)))));
          } catch (e) {
            return fail(e.message);
          }
        } else if (code !== 0 && code !== 12)
          return fail(`PostgreSQL asks for a login this check does not know (${code})`);
      }
    });
  });
}

function checkRedis(url) {
  const password = decodeURIComponent(url.password);
  const user = decodeURIComponent(url.username);
  const command = (...args) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return talk(url.hostname, Number(url.port || 6379), (socket, done, fail) => {
    const auth = password
      ? user
        ? command('AUTH', user, password)
        : command('AUTH', password)
      : '';
    socket.write(auth + command('PING'));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const lines = text.split('\r\n').filter(Boolean);
      const error = lines.find((l) => l.startsWith('-'));
      if (error) return fail(error.slice(1));
      if (lines.includes('+PONG')) done('ok');
    });
  });
}

async function main() {
  const checks = [
    ['database', 'database_url', checkPostgres],
    ['cache', 'redis_url', checkRedis],
  ];
  const results = await Promise.all(
    checks.map(async ([name, file, check]) => {
      const value = secret(file);
      if (!value) return [name, `error (no ${file} secret in this container)`];
      let url;
      try {
        url = new URL(value);
      } catch {
        return [name, `error (${file} is not a URL)`];
      }
      try {
        return [name, await check(url)];
      } catch (e) {
        return [name, `error (${String(e.message).split(value).join('[redacted]')})`];
      }
    }),
  );
  process.stdout.write(`${results.map(([name, result]) => `${name}: ${result}`).join(', ')}\n`);
  process.exitCode = results.every(([, result]) => result === 'ok') ? 0 : 1;
}

void main();
