import type { Migration } from './migration.js';

/** The health history's table (version 7; see database.ts). */
export const HEALTH_MIGRATIONS: Migration[] = [
  {
    version: 7,
    name: 'health-history',
    // One row per recorded transition of a service (state, exit, deep-check verdict), bounded by
    // count and age when written. Check output is stored trimmed and masked, never env or secrets.
    sql: `CREATE TABLE health_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            state TEXT NOT NULL,
            previous TEXT,
            last_check TEXT,
            exit_code INTEGER,
            oom_killed INTEGER NOT NULL DEFAULT 0,
            deep_ok INTEGER,
            deep_output TEXT,
            at TEXT NOT NULL
          );
          CREATE INDEX health_history_service ON health_history (service, id);
          CREATE INDEX health_history_at ON health_history (at);`,
  },
];
