import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteSettings } from './sqlite-settings.js';

let dir: string;
let previousUmask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-db-mode-'));
  // The usual umask (022) gives a new file 0644: the database must be private despite it.
  previousUmask = process.umask(0o022);
});
afterEach(() => {
  process.umask(previousUmask);
  rmSync(dir, { recursive: true, force: true });
});

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('the appliance database file', () => {
  it('is created 0600, and so are its -wal and -shm files, once something is written', () => {
    const path = join(dir, 'appliance.db');
    const db = openDatabase(path);
    new SqliteSettings(db).set('alerts.webhook', { url: 'https://hooks.example/T0KEN' });
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(`${path}-wal`)).toBe(0o600);
    expect(modeOf(`${path}-shm`)).toBe(0o600);
    db.close();
  });

  it('is made private when an older version left it and its -wal and -shm readable', () => {
    const path = join(dir, 'appliance.db');
    const first = openDatabase(path);
    new SqliteSettings(first).set('k', 1);
    first.close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '', { mode: 0o644 });
    writeFileSync(`${path}-shm`, '', { mode: 0o664 });
    chmodSync(`${path}-wal`, 0o644);
    chmodSync(`${path}-shm`, 0o664);
    const second = openDatabase(path);
    expect(new SqliteSettings(second).get('k')).toBe(1);
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(`${path}-wal`)).toBe(0o600);
    expect(modeOf(`${path}-shm`)).toBe(0o600);
    second.close();
  });
});
