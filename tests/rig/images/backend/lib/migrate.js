'use strict';
// `node server.js migrate`: the stand-in for `prisma migrate deploy`. Like Prisma it reads only the
// plain DATABASE_URL variable. It waits up to MIGRATE_WAIT_SECONDS (30) for the database, applies the
// schema in one transaction, records MediaNest's real migration names in _prisma_migrations, and is
// idempotent. Exit code 0 on success, 1 on failure.
const crypto = require('node:crypto');
const pg = require('./pg');

const MIGRATIONS = [
  '20250704075237_init',
  '20250720000000_add_error_logs_and_missing_indexes',
  '20250905150611_add_password_hash_to_users',
];

const SCHEMA = `
BEGIN;
SELECT pg_advisory_xact_lock(727274);
CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id varchar(36) PRIMARY KEY,
  checksum varchar(64) NOT NULL,
  finished_at timestamptz,
  migration_name varchar(255) NOT NULL UNIQUE,
  logs text,
  rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(),
  applied_steps_count integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS users (
  id text PRIMARY KEY,
  plex_id text UNIQUE,
  plex_username text,
  email text,
  role text NOT NULL DEFAULT 'user',
  plex_token text,
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS service_config (
  id serial PRIMARY KEY,
  service_name text UNIQUE NOT NULL,
  service_url text NOT NULL,
  api_key text,
  enabled boolean NOT NULL DEFAULT true,
  config_data jsonb
);
CREATE TABLE IF NOT EXISTS rig_records (
  id bigserial PRIMARY KEY,
  title text NOT NULL,
  body jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
%INSERTS%
COMMIT;
`;

async function migrate(env, log) {
  const url = env.DATABASE_URL;
  if (!url) {
    process.stderr.write(
      'migrate: DATABASE_URL is not set (Prisma reads env("DATABASE_URL") only)\n',
    );
    return 1;
  }
  const inserts = MIGRATIONS.map((name) => {
    const id = crypto.createHash('sha256').update(`rig:${name}`).digest('hex').slice(0, 32);
    const sum = crypto.createHash('sha256').update(name).digest('hex');
    return `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
      VALUES ('${id}', '${sum}', now(), '${name}', 1) ON CONFLICT (migration_name) DO NOTHING;`;
  }).join('\n');
  const deadline = Date.now() + Number(env.MIGRATE_WAIT_SECONDS || 30) * 1000;
  for (;;) {
    try {
      await pg.psql(url, 'SELECT 1;', {}, 5000);
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        process.stderr.write(`migrate: database unreachable: ${e.message}\n`);
        return 1;
      }
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  }
  try {
    await pg.psql(url, SCHEMA.replace('%INSERTS%', inserts), {}, 60000);
  } catch (e) {
    process.stderr.write(`migrate: failed: ${e.message}\n`);
    return 1;
  }
  log('info', `migrations applied: ${MIGRATIONS.length} (schema up to date)`);
  return 0;
}

module.exports = { migrate };
