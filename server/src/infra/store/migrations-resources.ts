import type { Migration } from './migration.js';

/** The resources area's tables (versions from 4; see database.ts). */
export const RESOURCES_MIGRATIONS: Migration[] = [
  {
    version: 4,
    name: 'resource-history',
    // One row per tier (step in seconds), service and step: sums and maxima of the readings, so a
    // coarser tier adds finer buckets up; limits and counters are the last reading's.
    sql: `CREATE TABLE resource_points (
            step INTEGER NOT NULL,
            service TEXT NOT NULL,
            start INTEGER NOT NULL,
            count INTEGER NOT NULL,
            cpu_sum REAL NOT NULL,
            cpu_max REAL NOT NULL,
            memory_sum REAL NOT NULL,
            memory_max REAL NOT NULL,
            memory_limit REAL NOT NULL,
            network_rx REAL NOT NULL,
            network_tx REAL NOT NULL,
            block_read REAL NOT NULL,
            block_write REAL NOT NULL,
            PRIMARY KEY (step, service, start)
          ) WITHOUT ROWID;
          CREATE INDEX resource_points_step_start ON resource_points (step, start);`,
  },
];
