import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/app-error.js';
import { RecoveryKeyStore } from '../core/backup/key-store.js';
import { recoveryKeyCodec } from '../core/backup/recovery-codec.js';
import { JobRunner } from '../core/jobs/job-runner.js';
import { openDatabase, type Db } from '../infra/store/database.js';
import { SqliteJobs } from '../infra/store/sqlite-jobs.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { backupHandlers, type BackupRouteDeps } from './backup-routes.js';

let dir: string;
let db: Db;
let keyFile: string;
let handlers: ReturnType<typeof backupHandlers>;

const req = {} as Request;
const res = {} as Response;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-backup-routes-'));
  db = openDatabase(join(dir, 'appliance.db'));
  keyFile = join(dir, 'recovery.key');
  const keys = new RecoveryKeyStore(keyFile, recoveryKeyCodec);
  const deps: BackupRouteDeps = {
    // Only the key store is used by the recovery-key routes.
    services: () => ({ keys }) as unknown as ReturnType<BackupRouteDeps['services']>,
    runner: new JobRunner({ jobs: new SqliteJobs(db), publish: () => {}, now: () => new Date() }),
    settings: new SqliteSettings(db),
    freeBytes: async () => 0,
    sameDisk: async () => false,
    nextRunAt: () => undefined,
    uploads: () => ({ pathOf: () => '', remove: async () => {} }),
  };
  handlers = backupHandlers(deps);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const tail = (key: string): string => key.replace(/[^A-Za-z0-9]/g, '').slice(-6);

describe('the recovery key, shown until the user confirms saving it', () => {
  it('is created on first reveal, stored 0600, and the same text is shown again until confirmed', async () => {
    expect(await handlers.recoveryKeyState({}, req, res)).toEqual({ state: 'none' });
    const first = await handlers.revealRecoveryKey({}, req, res);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.recoveryKey);
    expect(await handlers.recoveryKeyState({}, req, res)).toEqual({ state: 'unconfirmed' });
    // A page closed before the user saved it: the key can still be shown.
    expect(await handlers.revealRecoveryKey({}, req, res)).toEqual(first);
  });

  it('refuses a confirmation that does not match, naming the field, and still shows the key', async () => {
    const { recoveryKey } = await handlers.revealRecoveryKey({}, req, res);
    const wrong = tail(recoveryKey) === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ';
    const error = await handlers
      .confirmRecoveryKey({ lastCharacters: wrong }, req, res)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect((error as AppError).details).toEqual({
      fields: { lastCharacters: 'does not match the end of the key' },
    });
    expect(await handlers.recoveryKeyState({}, req, res)).toEqual({ state: 'unconfirmed' });
  });

  it('is never shown again once confirmed (any case), and the state says so', async () => {
    const { recoveryKey } = await handlers.revealRecoveryKey({}, req, res);
    expect(
      await handlers.confirmRecoveryKey(
        { lastCharacters: tail(recoveryKey).toLowerCase() },
        req,
        res,
      ),
    ).toEqual({ state: 'confirmed' });
    expect(await handlers.recoveryKeyState({}, req, res)).toEqual({ state: 'confirmed' });
    const error = await handlers.revealRecoveryKey({}, req, res).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('conflict');
    expect((error as AppError).message).not.toContain(recoveryKey);
    // The key itself stays: backups still need it.
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(recoveryKey);
  });
});

describe('where the backups are kept', () => {
  const storage = (dataDir: () => Promise<string>, sameDisk: boolean) =>
    backupHandlers({
      services: () =>
        ({
          backups: { list: () => [] },
          backupsDir: () => '/srv/backups',
          dataDir,
        }) as unknown as ReturnType<BackupRouteDeps['services']>,
      runner: new JobRunner({ jobs: new SqliteJobs(db), publish: () => {}, now: () => new Date() }),
      settings: new SqliteSettings(db),
      freeBytes: async () => 0,
      uploads: () => ({ pathOf: () => '', remove: async () => {} }),
      sameDisk: async (a, b) => a === '/srv/backups' && b === '/srv/data' && sameDisk,
      nextRunAt: () => undefined,
    }).backupStorage({}, req, res);

  it('says whether they share a disk with the data, and nothing when there is no stack yet', async () => {
    expect((await storage(async () => '/srv/data', true)).sameDiskAsData).toBe(true);
    expect((await storage(async () => '/srv/data', false)).sameDiskAsData).toBe(false);
    const none = await storage(() => Promise.reject(new AppError('conflict', 'no stack')), true);
    expect(none).not.toHaveProperty('sameDiskAsData');
  });
});

describe('restoring a file sent from the browser', () => {
  it('restores the upload by its id from the server’s own path, then removes it', async () => {
    const keys = new RecoveryKeyStore(keyFile, recoveryKeyCodec);
    await keys.ensure();
    const restored: string[] = [];
    const removed: string[] = [];
    const runner = new JobRunner({
      jobs: new SqliteJobs(db),
      publish: () => {},
      now: () => new Date(),
    });
    const handlers = backupHandlers({
      services: () =>
        ({
          keys,
          installed: () => true,
          restore: {
            preflight: async () => ({ restorable: true }),
            restore: async (source: { file: string }) => {
              restored.push(source.file);
              return {};
            },
          },
        }) as unknown as ReturnType<BackupRouteDeps['services']>,
      runner,
      settings: new SqliteSettings(db),
      freeBytes: async () => 0,
      sameDisk: async () => false,
      nextRunAt: () => undefined,
      uploads: () => ({
        pathOf: (id) => `/srv/backups/.upload-${id}.mnbackup`,
        remove: async (id) => void removed.push(id),
      }),
    });
    const id = 'ab'.repeat(16);
    await handlers.restore({ upload: id }, req, res);
    await runner.settle();
    expect(restored).toEqual([`/srv/backups/.upload-${id}.mnbackup`]);
    expect(removed).toEqual([id]);
  });
});
