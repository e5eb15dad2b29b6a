'use strict';
// Docker's healthcheck for MediaNest's backend and frontend: needs only `node`, which every
// MediaNest image has (images built from MediaNest's root Dockerfile have no curl: reference R2).
//
//   node healthcheck.cjs PORT PATH [HTTP_EVERY_SECONDS]
//
// Passes when the app answers 200 on 127.0.0.1:PORT PATH. The backend's production rate limiter
// counts every request, health routes included (100 per 15 minutes per address, R3), so:
// - with HTTP_EVERY_SECONDS the HTTP request is made at most that often after a 200; in between,
//   the check is that the app still accepts connections on PORT, which costs the limiter nothing;
// - after an answer other than 200 the next HTTP request waits RETRY_SECONDS (5): the checks in
//   between fail with that answer, so a failing app (and the app's own start gate, which runs this
//   check twice a second) spends at most 12 requests a minute;
// - a 429 is the limiter speaking, not the app: it passes only when the app answered 200 before
//   (it is up; something else used the budget), never for an app that has not been healthy yet.
// The last 200 and the last other answer are kept in /tmp (the container's tmpfs).
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');

const [port, path, every] = [
  Number(process.argv[2]),
  process.argv[3] || '/',
  Number(process.argv[4] || 0),
];
const STAMP = `/tmp/.medianest-health-${port}`; // the last 200
const FAILED = `/tmp/.medianest-health-${port}.failed`; // the last other answer, as its words
const TIMEOUT_MS = 4000;
const RETRY_MS = 5000;

function ageMs(file) {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function write(file, text) {
  try {
    fs.writeFileSync(file, text);
  } catch {
    // no writable /tmp: every check asks over HTTP
  }
}

function listening() {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('timeout')));
  socket.on('connect', () => {
    socket.end();
    process.exit(0);
  });
  socket.on('error', (e) => {
    console.log(`not listening on ${port}: ${e.message}`);
    process.exit(1);
  });
}

function answers() {
  const request = http.get({ host: '127.0.0.1', port, path, timeout: TIMEOUT_MS }, (response) => {
    response.resume();
    const status = response.statusCode;
    if (status === 200) {
      write(STAMP, '');
      fs.rmSync(FAILED, { force: true });
      console.log(`GET ${path}: 200`);
      process.exit(0);
    }
    const wasHealthy = ageMs(STAMP) !== Infinity;
    if (status === 429 && wasHealthy) {
      console.log(`GET ${path}: 429 (rate limited; the app answered 200 before)`);
      process.exit(0);
    }
    const said =
      status === 429 ? `${status} (rate limited before any healthy answer)` : String(status);
    write(FAILED, said);
    console.log(`GET ${path}: ${said}`);
    process.exit(1);
  });
  request.on('timeout', () =>
    request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)),
  );
  request.on('error', (e) => {
    // Not listening or no answer costs the limiter nothing: the next check asks again.
    console.log(`GET ${path}: ${e.message}`);
    process.exit(1);
  });
}

if (every > 0 && ageMs(STAMP) < every * 1000) listening();
else if (ageMs(FAILED) < RETRY_MS) {
  let said = '';
  try {
    said = fs.readFileSync(FAILED, 'utf8');
  } catch {
    // removed meanwhile
  }
  console.log(`GET ${path}: ${said} (asked again within ${RETRY_MS / 1000} s)`);
  process.exit(1);
} else answers();
