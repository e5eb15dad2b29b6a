/**
 * A new app version meeting an existing appliance.db, on real SQLite files: the copy set aside
 * before a migration, a failed migration leaving the database exactly as it was, and a database from
 * a newer app refused untouched.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../core/app-error.js';
import { APPLIANCE_MIGRATIONS, openDatabase } from './database.js';
import type { Migration } from './migration.js';
import { SqliteSettings } from './sqlite-settings.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-schema-'));
  path = join(dir, 'appliance.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NEXT = Math.max(...APPLIANCE_MIGRATIONS.map((m) => m.version)) + 1;

/** This app's migrations and the next version's, as a newer app would ship them. */
const withNext = (...next: Array<Omit<Migration, 'version'>>): Migration[] => [
  ...APPLIANCE_MIGRATIONS,
  ...next.map((m, i) => ({ ...m, version: NEXT + i })),
];

/** A database as this version leaves it, with a setting in it; closed (WAL folded into the file). */
function existingDatabase(): Buffer {
  const db = openDatabase(path);
  new SqliteSettings(db).set('stack.config', { httpPort: 8080 });
  db.prepare(
    "INSERT INTO jobs (id, kind, state, started_at) VALUES ('j1', 'up', 'succeeded', ?)",
  ).run('2027-01-01T00:00:00Z');
  db.close();
  return readFileSync(path);
}

const failureOf = (open: () => unknown): AppError => {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the database to be refused');
};

const copies = () => readdirSync(dir).filter((name) => name.includes('.before-v'));

describe('a new app version migrating an existing appliance.db', () => {
  it('keeps a private copy of the database as it was, then migrates it', () => {
    const before = existingDatabase();
    const db = openDatabase(path, {
      migrations: withNext({ name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);' }),
    });
    const copy = join(dir, `appliance.db.before-v${NEXT}`);
    expect(readFileSync(copy).equals(before)).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({
      v: NEXT,
    });
    expect(new SqliteSettings(db).get('stack.config')).toEqual({ httpPort: 8080 });
    db.close();
  });

  it('takes no copy when nothing is pending, nor for a new database', () => {
    existingDatabase();
    openDatabase(path).close();
    expect(copies()).toEqual([]);
  });

  it('keeps only the two newest copies', () => {
    existingDatabase();
    const steps = ['a', 'b', 'c'].map((name) => ({ name, sql: `CREATE TABLE ${name} (x);` }));
    for (let i = 1; i <= steps.length; i++)
      openDatabase(path, { migrations: withNext(...steps.slice(0, i)) }).close();
    expect(new Set(copies())).toEqual(
      new Set([`appliance.db.before-v${NEXT + 1}`, `appliance.db.before-v${NEXT + 2}`]),
    );
  });

  it('a failing migration leaves the file byte for byte as it was, and says where the copy is', () => {
    const before = existingDatabase();
    const failure = failureOf(() =>
      openDatabase(path, {
        appVersion: '9.9.9',
        migrations: withNext(
          { name: 'fine', sql: 'CREATE TABLE fine (x); INSERT INTO fine VALUES (1);' },
          { name: 'broken', sql: 'ALTER TABLE settings ADD COLUMN key TEXT;' },
        ),
      }),
    );
    const copy = join(dir, `appliance.db.before-v${NEXT + 1}`);
    expect(failure.message).toContain('MediaNest Appliance 9.9.9 could not migrate its database');
    expect(failure.message).toContain(`migration ${NEXT + 1} "broken" failed`);
    expect(failure.message).toContain('duplicate column name: key');
    expect(failure.message).toContain('restored as it was before');
    expect(failure.message).toContain(copy);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
    // This version still opens it, with its data, as if nothing had happened.
    const db = openDatabase(path);
    expect(new SqliteSettings(db).get('stack.config')).toEqual({ httpPort: 8080 });
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'fine'").get()).toBeUndefined();
    db.close();
  });

  it('puts the copy back when a migration committed part of its work before failing', () => {
    const before = existingDatabase();
    // Its own COMMIT ends the upgrade's transaction: the rollback cannot undo the first table.
    const failure = failureOf(() =>
      openDatabase(path, {
        migrations: withNext({
          name: 'commits-midway',
          sql: "CREATE TABLE half (x); COMMIT; BEGIN; INSERT INTO settings VALUES ('k', '1', 'now'); SELECT nope FROM half;",
        }),
      }),
    );
    expect(failure.message).toContain('no such column: nope');
    expect(failure.message).toContain('restored as it was before');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const db = openDatabase(path);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(new SqliteSettings(db).get('k')).toBeUndefined();
    db.close();
  });

  it('refuses a database a newer app version wrote, changing nothing', () => {
    existingDatabase();
    openDatabase(path, {
      migrations: withNext({ name: 'newer', sql: 'CREATE TABLE newer (x);' }),
    }).close();
    const before = readFileSync(path);
    const failure = failureOf(() => openDatabase(path, { appVersion: '0.1.0' }));
    expect(failure.code).toBe('unsupported_format');
    expect(failure.message).toContain('was written by a newer MediaNest Appliance');
    expect(failure.message).toContain(`its schema version is ${NEXT}`);
    expect(failure.message).toContain(`this version (0.1.0) knows versions up to ${NEXT - 1}`);
    expect(failure.message).toContain('Nothing was changed');
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
