import Database from 'better-sqlite3';
import { ensurePrivateFile, tightenIfShared } from '../fs/private-file.js';
import type { Migration } from './migration.js';
import { ALERTS_MIGRATIONS } from './migrations-alerts.js';
import { BACKUP_MIGRATIONS } from './migrations-backup.js';
import { HEALTH_MIGRATIONS } from './migrations-health.js';
import { RESOURCES_MIGRATIONS } from './migrations-resources.js';

type Db = Database.Database;

/**
 * Versioned migrations: append only; each runs once, in a transaction, recorded in
 * schema_migrations, in version order. An area with tables of its own keeps its migrations in its
 * own file (migrations-<area>.ts) and adds them to this list.
 */
const MIGRATIONS: Migration[] = [
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
];

export function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
           );`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const ordered = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
}

/**
 * Opens (creating and migrating when needed) the appliance database. It holds webhook URLs with
 * their tokens and the admin password's hash, so it is private (0600) before SQLite opens it: SQLite
 * creates the `-wal` and `-shm` files with the database file's own mode, so they follow. Those two
 * are tightened as well in case an older version left them readable.
 */
export function openDatabase(path: string): Db {
  ensurePrivateFile(path);
  for (const suffix of ['-wal', '-shm']) tightenIfShared(`${path}${suffix}`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export type { Db };
