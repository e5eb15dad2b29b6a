/**
 * "Migrations are forward-only and tested from every earlier schema version" (issue 18, part 3):
 * for each earlier schema version (each prefix of the migration list), a database at that version
 * with rows in every table it has is opened by this version's code, which must bring it to the
 * latest schema with every row as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLIANCE_MIGRATIONS, openDatabase, type Db } from './database.js';

/**
 * Representative rows for the tables each migration creates. A new migration adds its entry here
 * (the first test says so), so the upgrade from the version before it is tested with data.
 */
const SEEDS: Record<number, string> = {
  1: `INSERT INTO settings VALUES ('stack.config', '{"httpPort":8080,"env":"prod"}', '2027-01-01T00:00:00Z');
      INSERT INTO settings VALUES ('updates.settings', '{"check":{"enabled":false,"everyHours":24}}', '2027-01-01T00:00:00Z');`,
  2: `INSERT INTO sessions VALUES ('${'a'.repeat(64)}', 'browser', 1798761600000, 1799366400000);
      INSERT INTO admin_password VALUES (1, 'scrypt$17$8$1$c2FsdA$aGFzaA', '2027-01-01T00:00:00Z');`,
  3: `INSERT INTO jobs VALUES ('job-1', 'backup', 'succeeded', 'verifying', 100, '2027-01-01T02:00:00Z', '2027-01-01T02:03:00Z', NULL, NULL);
      INSERT INTO jobs VALUES ('job-2', 'up', 'failed', 'starting backend', 40, '2027-01-02T10:00:00Z', '2027-01-02T10:05:00Z', 'internal', 'backend did not become healthy');`,
  4: `INSERT INTO resource_points VALUES (60, 'backend', 1798761600, 12, 1.5, 0.4, 3.2e8, 3.4e8, 1e9, 1024, 2048, 0, 4096);
      INSERT INTO resource_points VALUES (3600, 'postgres', 1798758000, 60, 9.1, 0.9, 6.1e8, 7e8, 2e9, 0, 0, 8192, 16384);`,
  5: `INSERT INTO alerts (id, rule, subject, severity, title, message, page, state, fired_at, resolved_at)
        VALUES ('alert-1', 'service-down', 'redis', 'critical', 'Redis is down', 'It exited with 137.', '/services/redis', 'resolved', '2027-01-03T00:00:00Z', '2027-01-03T00:10:00Z');
      INSERT INTO alert_channel_status VALUES ('hook-1', 1, '2027-01-02T00:00:00Z', '2027-01-03T00:00:00Z', 'HTTP 500');`,
  6: `INSERT INTO backups VALUES ('b-1', 'medianest-2027-01-01.tar.gz.enc', 'daily', 'verified', 123456, '2027-01-01T02:00:00Z', '2027-01-01T02:04:00Z', NULL, NULL);
      INSERT INTO restore_journal VALUES (1, 'swap', 'b-1', '2027-01-04T00:00:00Z');`,
  7: `INSERT INTO health_history (service, state, previous, last_check, exit_code, oom_killed, deep_ok, deep_output, at)
        VALUES ('backend', 'unhealthy', 'healthy', 'HTTP 503', NULL, 0, 0, 'database unreachable', '2027-01-05T00:00:00Z');`,
  8: `INSERT INTO pairing_codes VALUES ('ABCDE12345', 1798761600000, 1798762200000);
      INSERT INTO devices VALUES ('d-1', 'Desk', '${'b'.repeat(64)}', 1798761600000, 1798761700000, '192.168.1.9');`,
};

const ORDERED = [...APPLIANCE_MIGRATIONS].sort((a, b) => a.version - b.version);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-schema-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Db): string[] =>
  (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
      )
      .all() as Array<{ name: string }>
  ).map((row) => row.name);

const columns = (db: Db, table: string): string[] =>
  (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);

/**
 * Every row of every table, by the columns each table has now: a later migration may add columns,
 * never change what a row already said.
 */
function contents(db: Db): Record<string, { columns: string[]; rows: unknown[] }> {
  return Object.fromEntries(
    tables(db).map((table) => {
      const cols = columns(db, table);
      const list = cols.map((c) => `"${c}"`).join(', ');
      const rows = db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${list}`).raw().all();
      return [table, { columns: cols, rows }];
    }),
  );
}

/** The same columns' values read now from a table that may have grown. */
function rowsOf(db: Db, table: string, cols: string[]): unknown[] {
  const list = cols.map((c) => `"${c}"`).join(', ');
  return db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${list}`).raw().all();
}

describe('upgrading appliance.db from every earlier schema version', () => {
  it('has representative rows for every migration', () => {
    expect(
      Object.keys(SEEDS).map(Number),
      'a migration without rows in SEEDS: add an INSERT for its tables',
    ).toEqual(ORDERED.map((m) => m.version));
  });

  it('numbers its migrations uniquely, each a positive whole number', () => {
    const versions = ORDERED.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.every((v) => Number.isSafeInteger(v) && v > 0)).toBe(true);
  });

  for (let at = 1; at < ORDERED.length; at++) {
    const earlier = ORDERED.slice(0, at);
    const version = earlier[earlier.length - 1]!.version;
    it(`from schema version ${version}: to the latest, every row kept`, () => {
      const path = join(dir, 'appliance.db');
      // The database as the release with only these migrations left it, used for a while.
      const old = openDatabase(path, { migrations: earlier });
      for (const migration of earlier) old.exec(SEEDS[migration.version] ?? '');
      const before = contents(old);
      old.close();

      const db = openDatabase(path);
      const applied = (
        db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
          version: number;
        }>
      ).map((row) => row.version);
      expect(applied).toEqual(ORDERED.map((m) => m.version));
      for (const [table, { columns: cols, rows }] of Object.entries(before)) {
        expect(rows.length, `${table} had rows`).toBeGreaterThan(0);
        expect(rowsOf(db, table, cols), `${table} after the upgrade`).toEqual(rows);
      }
      // The tables the later migrations add are there, and usable.
      for (const migration of ORDERED.slice(at)) db.exec(SEEDS[migration.version] ?? '');
      expect(tables(db).length).toBeGreaterThan(Object.keys(before).length);
      db.close();
    });
  }
});
