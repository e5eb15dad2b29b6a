import type { Migration } from './migration.js';

/** The backup area's tables (versions from 6; see database.ts). */
export const BACKUP_MIGRATIONS: Migration[] = [
  {
    version: 6,
    name: 'backups',
    // The catalogue: one row per archive, whatever became of it. The restore journal holds at most
    // one row: an unfinished restore, found and rolled back at the next start.
    sql: `CREATE TABLE backups (
            id TEXT PRIMARY KEY,
            file TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('manual', 'daily', 'weekly', 'safety')),
            state TEXT NOT NULL CHECK (state IN
              ('running', 'complete', 'verified', 'verified-restorable', 'failed', 'missing')),
            size INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            verified_at TEXT,
            error_code TEXT,
            error_message TEXT
          );
          CREATE INDEX backups_created_at ON backups (created_at);
          CREATE TABLE restore_journal (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            step TEXT NOT NULL,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL
          );`,
  },
];
