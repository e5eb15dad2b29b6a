import type { Migration } from './migration.js';

/** The alerts area's tables (versions from 5; see database.ts). */
export const ALERTS_MIGRATIONS: Migration[] = [
  {
    version: 5,
    name: 'alerts',
    // One row per alert (firing or resolved), kept as bounded history; `seq` orders it. And the
    // delivery status of each webhook channel (the channels themselves live in the settings).
    sql: `CREATE TABLE alerts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            rule TEXT NOT NULL,
            subject TEXT NOT NULL,
            severity TEXT NOT NULL,
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            page TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
            fired_at TEXT NOT NULL,
            resolved_at TEXT,
            acknowledged_at TEXT,
            notified_at TEXT
          );
          CREATE INDEX alerts_state ON alerts (state, seq);
          CREATE INDEX alerts_rule_subject ON alerts (rule, subject, seq);
          CREATE TABLE alert_channel_status (
            channel_id TEXT PRIMARY KEY,
            failing INTEGER NOT NULL DEFAULT 0,
            last_success_at TEXT,
            last_error_at TEXT,
            last_error TEXT
          );`,
  },
];
