import Database from 'better-sqlite3';
import { ensurePrivateFile, tightenIfShared } from '../fs/private-file.js';
import { APP_VERSION } from '../../version.js';
import type { Migration } from './migration.js';
import { ALERTS_MIGRATIONS } from './migrations-alerts.js';
import { BACKUP_MIGRATIONS } from './migrations-backup.js';
import { DEVICES_MIGRATIONS } from './migrations-devices.js';
import { HEALTH_MIGRATIONS } from './migrations-health.js';
import { RESOURCES_MIGRATIONS } from './migrations-resources.js';
import { refuseNewerSchema, upgradeSchema } from './schema-upgrade.js';

type Db = Database.Database;

/**
 * Versioned migrations, forward only: append, never edit one that was released (a database past it
 * never sees the edit). Each runs once, recorded in schema_migrations, in version order; the
 * pending ones run together in one transaction (schema-upgrade.ts). An area with tables of its own
 * keeps its migrations in its own file (migrations-<area>.ts) and adds them to this list; and
 * schema-history.test.ts a row or two for its tables, so every upgrade path is tested with data.
 */
export const APPLIANCE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    sql: `CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );`,
  },
  {
    version: 2,
    name: 'auth',
    // Browser sessions (only a SHA-256 of the cookie value) and the admin password's scrypt hash.
    sql: `CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          );
          CREATE INDEX sessions_expires_at ON sessions (expires_at);
          CREATE TABLE admin_password (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            hash TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );`,
  },
  {
    version: 3,
    name: 'jobs',
    // Long operations: one row each, kept as history; a row left "running" by a crash is marked
    // interrupted at the next start.
    sql: `CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
            step TEXT,
            percent REAL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            error_code TEXT,
            error_message TEXT
          );
          CREATE INDEX jobs_started_at ON jobs (started_at);`,
  },
  ...RESOURCES_MIGRATIONS,
  ...ALERTS_MIGRATIONS,
  ...BACKUP_MIGRATIONS,
  ...HEALTH_MIGRATIONS,
  ...DEVICES_MIGRATIONS,
];

/**
 * Opens (creating and migrating when needed) the appliance database. It holds webhook URLs with
 * their tokens and the admin password's hash, so it is private (0600) before SQLite opens it: SQLite
 * creates the `-wal` and `-shm` files with the database file's own mode, so they follow. Those two
 * are tightened as well in case an older version left them readable.
 *
 * A database a newer app version wrote is refused, unchanged. Before pending migrations change an
 * existing database, a copy is kept beside it (`<path>.before-v<N>`, the newest two); a migration
 * that fails leaves the database as it was and the error says where the copy is (schema-upgrade.ts).
 * `migrations` and `appVersion` are for tests.
 */
export function openDatabase(
  path: string,
  options: { migrations?: readonly Migration[]; appVersion?: string } = {},
): Db {
  const migrations = options.migrations ?? APPLIANCE_MIGRATIONS;
  const appVersion = options.appVersion ?? APP_VERSION;
  ensurePrivateFile(path);
  for (const suffix of ['-wal', '-shm']) tightenIfShared(`${path}${suffix}`);
  const db = new Database(path);
  try {
    // Before any pragma: switching to WAL would already write to the file.
    db.pragma('busy_timeout = 5000');
    refuseNewerSchema(db, path, migrations, appVersion);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    upgradeSchema(db, path, migrations, appVersion);
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
  return db;
}

export type { Db };
