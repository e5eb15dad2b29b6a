'use strict';
// PostgreSQL through the psql client in the image (Debian has no npm, and a driver is not the point).
// Connection settings travel in libpq's environment variables; values travel as psql variables
// (-v name=value) and are quoted by psql itself (:'name'), so no SQL is built from strings.
const { spawn } = require('node:child_process');

const LIBPQ_SSLMODES = new Set([
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
]);

/** libpq environment for a postgresql:// URL; Prisma-only query options are ignored. */
function connectionEnv(databaseUrl) {
  const u = new URL(databaseUrl);
  const sslmode = u.searchParams.get('sslmode');
  return {
    PGHOST: decodeURIComponent(u.hostname) || 'localhost',
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username),
    PGSSLMODE: sslmode && LIBPQ_SSLMODES.has(sslmode) ? sslmode : 'prefer',
    PGCONNECT_TIMEOUT: '3',
    PGAPPNAME: 'medianest-backend-rig',
  };
}

class PgError extends Error {}

/**
 * Runs SQL (from stdin, so psql expands :'vars') and resolves with stdout.
 * @param {string} databaseUrl
 * @param {string} sql
 * @param {Record<string, string>} vars
 */
function psql(databaseUrl, sql, vars = {}, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'];
    for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
    const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', ...connectionEnv(databaseUrl) };
    const child = spawn('psql', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PgError(`psql could not run: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const msg =
          Buffer.concat(err).toString('utf8').trim().split('\n').slice(-1)[0] ||
          `psql exited ${code ?? signal}`;
        reject(new PgError(msg));
      }
    });
    child.stdin.on('error', () => {}); // psql may exit before reading everything
    child.stdin.end(sql);
  });
}

/** Runs a query whose single result is a JSON document and parses it. */
async function queryJson(databaseUrl, sql, vars) {
  const text = (await psql(databaseUrl, sql, vars)).trim();
  const last = text.split('\n').filter(Boolean).slice(-1)[0];
  return last ? JSON.parse(last) : null;
}

module.exports = { psql, queryJson, connectionEnv, PgError };
