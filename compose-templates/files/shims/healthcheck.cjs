'use strict';
// Docker's healthcheck for MediaNest's backend and frontend: needs only `node`, which every
// MediaNest image has (images built from MediaNest's root Dockerfile have no curl: reference R2).
//
//   node healthcheck.cjs PORT PATH [HTTP_EVERY_SECONDS]
//
// Passes when the app answers HTTP on 127.0.0.1:PORT PATH (200; a 429 is an answer too: the app
// is up, its rate limiter spoke). The backend's production rate limiter counts every request,
// health routes included (100 per 15 minutes per address, R3), so with HTTP_EVERY_SECONDS the
// HTTP request is made at most that often; in between, the check is that the app still accepts
// connections on PORT, which costs the limiter nothing. The time of the last HTTP answer is kept
// in /tmp (the container's tmpfs).
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');

const [port, path, every] = [
  Number(process.argv[2]),
  process.argv[3] || '/',
  Number(process.argv[4] || 0),
];
const STAMP = `/tmp/.medianest-health-${port}`;
const TIMEOUT_MS = 4000;

function fresh() {
  if (!(every > 0)) return false;
  try {
    return Date.now() - fs.statSync(STAMP).mtimeMs < every * 1000;
  } catch {
    return false;
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
    const ok = response.statusCode === 200 || response.statusCode === 429;
    if (ok && every > 0) fs.writeFileSync(STAMP, '');
    console.log(`GET ${path}: ${response.statusCode}`);
    process.exit(ok ? 0 : 1);
  });
  request.on('timeout', () =>
    request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)),
  );
  request.on('error', (e) => {
    console.log(`GET ${path}: ${e.message}`);
    process.exit(1);
  });
}

if (fresh()) listening();
else answers();
