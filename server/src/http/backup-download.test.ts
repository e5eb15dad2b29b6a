import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupDownloadPath } from '../contract/backup-routes.js';
import { AppError } from '../core/app-error.js';
import type { BackupRecord } from '../core/backup/ports.js';
import { backupDownloadRouter } from './backup-download.js';
import { serveWithErrors, TestAuth, type Served } from './serve.test-support.js';

let dir: string;
let served: Served;
let auth: TestAuth;

const row = (id: string, state: BackupRecord['state'], file = `${id}.mnbackup`): BackupRecord => ({
  id,
  file,
  kind: 'manual',
  state,
  size: 0,
  createdAt: '2026-12-07T05:00:00Z',
});
const rows = [row('good', 'verified'), row('broken', 'failed'), row('gone', 'verified')];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mna-backup-download-'));
  writeFileSync(join(dir, 'good.mnbackup'), Buffer.alloc(70_000, 3));
  writeFileSync(join(dir, 'broken.mnbackup'), 'partial');
  auth = new TestAuth();
  const app = express().use(
    backupDownloadRouter({
      backups: () => ({
        find: (id) => {
          const found = rows.find((r) => r.id === id);
          if (!found) throw new AppError('not_found', `There is no backup ${id}.`);
          return found;
        },
        pathOf: (record) => join(dir, record.file),
      }),
      requireAuth: auth.requireAuth,
    }),
  );
  served = await serveWithErrors(app);
});

afterEach(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (id: string): Promise<Response> => fetch(served.base + backupDownloadPath(id));

describe('downloading a backup', () => {
  it('answers the archive byte for byte, as an attachment named as in the catalogue', async () => {
    const response = await get('good');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="good.mnbackup"',
    );
    expect(response.headers.get('content-length')).toBe('70000');
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.alloc(70_000, 3))).toBe(true);
  });

  it('refuses a failed backup, a file that is gone, an unknown id, and anyone not signed in', async () => {
    expect((await get('broken')).status).toBe(409);
    expect((await get('gone')).status).toBe(404);
    expect((await get('nothing')).status).toBe(404);
    auth.signedIn = false;
    expect((await get('good')).status).toBe(401);
  });
});
