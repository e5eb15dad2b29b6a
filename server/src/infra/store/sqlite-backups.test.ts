import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchiveReader } from '../../core/backup/archive/format.js';
import { BackupService } from '../../core/backup/backup-service.js';
import { openDatabase } from './database.js';
import { SqliteBackups, SqliteRestoreJournal } from './sqlite-backups.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const unused = (): never => {
  throw new Error('not used by recover()');
};

/** A backup service that can only recover and remove (nothing is written or read). */
const serviceDeps = (backupsDir: string) => ({
  writer: { write: unused },
  reader: { verify: unused } as unknown as ArchiveReader,
  state: () => unused(),
  key: unused,
  sources: unused,
  backupsDir: () => backupsDir,
  appVersion: 'test',
  now: () => new Date('2026-01-01T00:00:00Z'),
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mna-catalogue-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'appliance.db'));
  const backupsDir = join(dir, 'backups');
  const catalogue = new SqliteBackups(db);
  const service = new BackupService({ ...serviceDeps(backupsDir), catalogue });
  return { dir, db, backupsDir, catalogue, service };
}

describe('the backup catalogue (SQLite)', () => {
  it('lists backups newest first with their state and failure reason', () => {
    const { catalogue } = setup();
    catalogue.insert({
      id: 'a',
      file: 'a.mnbackup',
      kind: 'daily',
      createdAt: '2026-01-01T02:00:00Z',
    });
    catalogue.insert({
      id: 'b',
      file: 'b.mnbackup',
      kind: 'manual',
      createdAt: '2026-01-02T02:00:00Z',
    });
    catalogue.update('a', { state: 'verified', size: 10, verifiedAt: '2026-01-01T02:01:00Z' });
    catalogue.update('b', {
      state: 'failed',
      error: { code: 'backup_failed', message: 'pg down' },
    });
    expect(catalogue.list()).toEqual([
      {
        id: 'b',
        file: 'b.mnbackup',
        kind: 'manual',
        state: 'failed',
        size: 0,
        createdAt: '2026-01-02T02:00:00Z',
        error: { code: 'backup_failed', message: 'pg down' },
      },
      {
        id: 'a',
        file: 'a.mnbackup',
        kind: 'daily',
        state: 'verified',
        size: 10,
        createdAt: '2026-01-01T02:00:00Z',
        verifiedAt: '2026-01-01T02:01:00Z',
      },
    ]);
  });

  it('at start: partial files removed, interrupted backups failed, vanished files missing', async () => {
    const { backupsDir, catalogue, service } = setup();
    mkdirSync(backupsDir);
    writeFileSync(join(backupsDir, '.run.mnbackup.partial'), 'x');
    writeFileSync(join(backupsDir, 'kept.mnbackup'), 'x');
    catalogue.insert({
      id: 'run',
      file: 'run.mnbackup',
      kind: 'daily',
      createdAt: '2026-01-01T02:00:00Z',
    });
    catalogue.insert({
      id: 'kept',
      file: 'kept.mnbackup',
      kind: 'daily',
      createdAt: '2026-01-01T01:00:00Z',
    });
    catalogue.insert({
      id: 'gone',
      file: 'gone.mnbackup',
      kind: 'daily',
      createdAt: '2026-01-01T00:00:00Z',
    });
    catalogue.update('kept', { state: 'verified' });
    catalogue.update('gone', { state: 'verified' });
    const result = await service.recover();
    expect(result).toEqual({
      removedPartials: ['.run.mnbackup.partial'],
      interrupted: ['run'],
      missing: ['gone'],
    });
    expect(readdirSync(backupsDir)).toEqual(['kept.mnbackup']);
    expect(catalogue.get('run')?.state).toBe('failed');
    expect(catalogue.get('kept')?.state).toBe('verified');
    expect(catalogue.get('gone')?.state).toBe('missing');
  });

  it('a removal cut short never leaves a good row without its archive, and is finished at start', async () => {
    const { backupsDir, catalogue, db } = setup();
    mkdirSync(backupsDir);
    writeFileSync(join(backupsDir, 'old.mnbackup'), 'x');
    catalogue.insert({
      id: 'old',
      file: 'old.mnbackup',
      kind: 'daily',
      createdAt: '2026-01-01T00:00:00Z',
    });
    catalogue.update('old', { state: 'verified' });
    // The manager dies after the archive went, before the row did.
    const dying = Object.create(catalogue) as SqliteBackups;
    dying.remove = () => {
      throw new Error('killed');
    };
    const killed = new BackupService({ ...serviceDeps(backupsDir), catalogue: dying });
    await expect(killed.remove(catalogue.get('old')!)).rejects.toThrow('killed');
    expect(readdirSync(backupsDir)).toEqual([]);
    expect(catalogue.get('old')?.state).toBe('missing');
    // The next start finishes the removal.
    await new BackupService({
      ...serviceDeps(backupsDir),
      catalogue: new SqliteBackups(db),
    }).recover();
    expect(catalogue.get('old')).toBeUndefined();
  });

  it('keeps one restore journal row and clears it', () => {
    const { db } = setup();
    const journal = new SqliteRestoreJournal(db);
    expect(journal.read()).toBeUndefined();
    journal.write({ step: 'staging', source: 'x.mnbackup', startedAt: '2026-01-01T00:00:00Z' });
    journal.write({ step: 'swapping', source: 'x.mnbackup', startedAt: '' });
    expect(journal.read()).toEqual({
      step: 'swapping',
      source: 'x.mnbackup',
      startedAt: '2026-01-01T00:00:00Z',
    });
    journal.clear();
    expect(journal.read()).toBeUndefined();
  });
});
