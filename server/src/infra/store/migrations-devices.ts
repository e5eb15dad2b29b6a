import type { Migration } from './migration.js';

/** Pairing codes and paired devices (version 8; see database.ts and core/auth/pairing.ts). */
export const DEVICES_MIGRATIONS: Migration[] = [
  {
    version: 8,
    name: 'devices',
    // A code lives 10 minutes and is removed when used; a device's token only as a SHA-256.
    sql: `CREATE TABLE pairing_codes (
            code TEXT PRIMARY KEY,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          );
          CREATE TABLE devices (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            paired_at INTEGER NOT NULL,
            last_seen_at INTEGER,
            last_address TEXT
          );`,
  },
];
