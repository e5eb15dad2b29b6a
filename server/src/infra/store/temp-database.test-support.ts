import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from './database.js';

/**
 * An opener of databases, each in a fresh folder under the system's temp folder; after each test
 * every one it opened is closed and its folder removed. Call it once at the top of a test file.
 */
export function tempDatabases(prefix: string): () => { db: Db; path: string } {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    const path = join(dir, 'app.db');
    const db = openDatabase(path);
    dbs.push(db);
    return { db, path };
  };
}
