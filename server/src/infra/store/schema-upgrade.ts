/**
 * Bringing appliance.db to this app version's schema, safely (issue 18, part 3): a database that a
 * newer app wrote is refused untouched; before pending migrations change an existing database, a
 * copy of it is set aside (`appliance.db.before-v<N>`); a failed migration leaves the database as it
 * was and says where the copy is.
 */
import type Database from 'better-sqlite3';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { messageOf } from '../../contract/errors.js';
import { AppError } from '../../core/app-error.js';
import { tightenIfShared, writeFlushed } from '../fs/private-file.js';
import type { Migration } from './migration.js';

type Db = Database.Database;

/** How many copies set aside before a migration are kept (the newest ones). */
const COPIES_KEPT = 2;

/** The versions recorded in schema_migrations; none for a new (or foreign) file. */
function appliedVersions(db: Db): number[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return [];
  return (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>)
    .map((row) => row.version)
    .sort((a, b) => a - b);
}

const latestOf = (migrations: readonly Migration[]): number =>
  Math.max(0, ...migrations.map((m) => m.version));

/**
 * Refuses a database with a migration this app does not know: a newer app wrote it (the user went
 * back to an older version). Only reads, so the file is exactly as it was.
 */
export function refuseNewerSchema(
  db: Db,
  path: string,
  migrations: readonly Migration[],
  appVersion: string,
): void {
  const known = new Set(migrations.map((m) => m.version));
  const unknown = appliedVersions(db).filter((v) => !known.has(v));
  if (unknown.length === 0) return;
  const theirs = Math.max(...unknown);
  throw new AppError(
    'unsupported_format',
    `${path} was written by a newer MediaNest Appliance: its schema version is ${theirs}, and this version (${appVersion}) knows versions up to ${latestOf(migrations)}. Nothing was changed. Install the newer version again; or, to use this version with the data as it was before the upgrade, put back the copy the newer version kept beside it (${basename(path)}.before-v<N>) while no MediaNest Appliance runs.`,
    { path, schemaVersion: theirs, knownVersion: latestOf(migrations) },
  );
}

/** Writes `bytes` to `path` (mode 0600) through a temporary file, flushed before the rename. */
function writePrivately(path: string, bytes: Buffer): void {
  const temporary = `${path}.partial`;
  writeFlushed(temporary, bytes, 'w');
  tightenIfShared(temporary);
  renameSync(temporary, path);
}

/** Removes all but the newest COPIES_KEPT copies (by the schema version they were taken before). */
function pruneCopies(path: string): void {
  const prefix = `${basename(path)}.before-v`;
  const copies = readdirSync(dirname(path))
    .map((name) => ({ name, version: Number(name.slice(prefix.length)) }))
    .filter(({ name, version }) => name.startsWith(prefix) && Number.isSafeInteger(version))
    .sort((a, b) => b.version - a.version);
  for (const { name } of copies.slice(COPIES_KEPT))
    rmSync(join(dirname(path), name), { force: true });
}

/**
 * Runs the pending migrations: all of them in one transaction that holds the write lock (a CLI verb
 * and the server starting together never migrate twice: the second finds nothing pending). Before
 * the first change to an existing database, its content is copied aside. `serialize()` gives the
 * pages as one consistent image, WAL included, and synchronously (callers open the database
 * synchronously); once SQLite closes the file it holds these very bytes.
 */
export function upgradeSchema(
  db: Db,
  path: string,
  migrations: readonly Migration[],
  appVersion: string,
): void {
  const pendingOf = (applied: number[]) =>
    migrations.filter((m) => !applied.includes(m.version)).sort((a, b) => a.version - b.version);
  // Most opens find nothing to do: they read, and never wait for the write lock.
  if (pendingOf(appliedVersions(db)).length === 0) return;
  db.exec('BEGIN IMMEDIATE');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
           );`);
  // Again under the lock: another process may have migrated meanwhile.
  const applied = appliedVersions(db);
  const pending = pendingOf(applied);
  if (pending.length === 0) {
    db.exec('COMMIT');
    return;
  }
  const target = latestOf(pending);
  // A new database has nothing to keep.
  let before: { bytes: Buffer; copy: string } | undefined;
  // What was under way when something failed: a migration, or the commit of them all.
  let step: string | undefined;
  try {
    if (applied.length > 0) {
      const copy = `${path}.before-v${target}`;
      const bytes = db.serialize();
      try {
        writePrivately(copy, bytes);
        pruneCopies(path);
      } catch (error) {
        throw new AppError(
          'internal',
          `MediaNest Appliance ${appVersion} could not copy its database aside before migrating it (${messageOf(error)}), so it did not migrate it: nothing was changed. Free some space beside ${path} and start again.`,
          { path, copy },
          { cause: error },
        );
      }
      before = { bytes, copy };
    }
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of pending) {
      step = `migration ${migration.version} "${migration.name}"`;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    step = 'the commit of the migrations';
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (!before || step === undefined) {
      db.close();
      throw error;
    }
    const from = applied[applied.length - 1] ?? 0;
    const failed = `MediaNest Appliance ${appVersion} could not migrate its database (${path}) from schema version ${from} to ${target}: ${step} failed (${messageOf(error)}).`;
    const details = { path, copy: before.copy, schemaVersion: from };
    try {
      restore(db, path, before.bytes);
    } catch (restoreError) {
      throw new AppError(
        'internal',
        `${failed} Putting the database back as it was failed too (${messageOf(restoreError)}): with no MediaNest Appliance running, copy ${before.copy} over ${path} and remove ${path}-wal if it exists.`,
        details,
        { cause: error },
      );
    }
    throw new AppError(
      'internal',
      `${failed} The database was restored as it was before; a copy of it is at ${before.copy}. The version you had before opens it as it is.`,
      details,
      { cause: error },
    );
  }
}

/**
 * After the rollback, closes the database and puts the copy back if the file no longer holds it
 * (a migration that committed part of its work: its SQL may end the transaction). Normally the
 * rollback already left the pages as they were, and the file is not touched.
 */
function restore(db: Db, path: string, bytes: Buffer): void {
  let unchanged: boolean;
  try {
    unchanged = db.serialize().equals(bytes);
  } finally {
    db.close();
  }
  if (unchanged) return;
  writePrivately(path, bytes);
  // Pages of the failed migration left in the WAL would be replayed over the copy.
  for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
