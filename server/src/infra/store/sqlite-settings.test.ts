import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteSettings } from './sqlite-settings.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings in the appliance database', () => {
  it('survive closing and reopening the real SQLite file', () => {
    dir = mkdtempSync(join(tmpdir(), 'mna-db-'));
    const path = join(dir, 'appliance.db');
    const first = openDatabase(path);
    new SqliteSettings(first).set('stack.config', { environment: 'prod', httpPort: 8080 });
    first.close();
    const second = openDatabase(path);
    expect(new SqliteSettings(second).get('stack.config')).toEqual({
      environment: 'prod',
      httpPort: 8080,
    });
    expect(new SqliteSettings(second).get('missing')).toBeUndefined();
    const versions = second.prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toContainEqual({ version: 1 });
    second.close();
  });

  it('overwrites a key in place', () => {
    dir = mkdtempSync(join(tmpdir(), 'mna-db-'));
    const db = openDatabase(join(dir, 'appliance.db'));
    const settings = new SqliteSettings(db);
    settings.set('k', 1);
    settings.set('k', 2);
    expect(settings.get('k')).toBe(2);
    expect(db.prepare('SELECT COUNT(*) AS n FROM settings').get()).toEqual({ n: 1 });
    db.close();
  });
});
