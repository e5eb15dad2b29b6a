import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_UPLOAD_PATH, RestoreInputSchema } from '../contract/backup-routes.js';
import { BackupUploads, backupUploadRouter, UPLOAD_SPACE_MARGIN } from './backup-upload.js';
import { stateChangeCheck } from './security.js';
import { serveWithErrors, TestAuth, type Served } from './serve.test-support.js';

let dir: string;
let served: Served;
let port: number;
let uploads: BackupUploads;
let free: number;
let auth: TestAuth;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mna-backup-upload-'));
  free = 10 * 1024 ** 3;
  auth = new TestAuth();
  uploads = new BackupUploads({ dir: () => dir, freeBytes: async () => free, maxBytes: 1_000_000 });
  const app = express();
  // As the app mounts them: the state-change check with the one raw-body exception, the JSON parser.
  app.use('/api', stateChangeCheck([{ method: 'PUT', path: BACKUP_UPLOAD_PATH }]));
  app.use('/api', express.json({ limit: '1mb' }));
  app.use(
    backupUploadRouter({
      uploads: () => uploads,
      requireAuth: auth.requireAuth,
    }),
  );
  app.put('/api/other', (_req, res) => res.json({ reached: true }));
  served = await serveWithErrors(app);
  port = served.port;
});

afterEach(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (
  body: Buffer,
  headers: Record<string, string> = {},
  path = BACKUP_UPLOAD_PATH,
): Promise<{ status: number; json: Record<string, unknown> }> =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: new Uint8Array(body),
  }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

const files = (): string[] => readdirSync(dir);
const archive = Buffer.alloc(300_000, 7);

describe('uploading a backup file for a restore', () => {
  it('streams the body to a 0600 file with a name the server chose, restorable by its id', async () => {
    const { status, json } = await put(archive, {}, `${BACKUP_UPLOAD_PATH}`);
    expect(status).toBe(201);
    expect(json.size).toBe(300_000);
    const id = String(json.upload);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const path = uploads.pathOf(id);
    expect(readFileSync(path).equals(archive)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(files()).toEqual([`.upload-${id}.mnbackup`]);
    expect(RestoreInputSchema.safeParse({ upload: id }).success).toBe(true);
  });

  it('never lets a client name a path: only an id of the server’s own format is accepted', () => {
    expect(RestoreInputSchema.safeParse({ upload: '../../etc/passwd' }).success).toBe(false);
    expect(RestoreInputSchema.safeParse({ upload: 'a'.repeat(32), id: 'x' }).success).toBe(false);
    expect(() => uploads.pathOf('0'.repeat(32))).toThrow(/upload: no such uploaded file/);
    expect(() => uploads.pathOf('../x')).toThrow(/upload: no such uploaded file/);
  });

  it('refuses a file over the cap and one the disk has no room for, writing nothing', async () => {
    const tooBig = await put(Buffer.alloc(1_000_001));
    expect(tooBig.status).toBe(413);
    free = 300_000 + UPLOAD_SPACE_MARGIN - 1;
    const noRoom = await put(archive);
    expect(noRoom.status).toBe(507);
    expect(JSON.stringify(noRoom.json)).toMatch(/free/);
    expect(files()).toEqual([]);
  });

  it('removes the partial file when the sender goes away mid-way', async () => {
    const sending = request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: BACKUP_UPLOAD_PATH,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '500000' },
    });
    sending.on('error', () => undefined);
    sending.write(Buffer.alloc(200_000, 1));
    // The partial exists while the body is still coming.
    await expect.poll(() => files().some((f) => f.endsWith('.partial'))).toBe(true);
    sending.destroy();
    await expect.poll(() => files(), { timeout: 5_000 }).toEqual([]);
  });

  it('is refused cross-origin, to a cookie without Origin, and to anyone not signed in', async () => {
    const crossOrigin = await put(archive, { origin: 'http://evil.example' });
    expect(crossOrigin.status).toBe(403);
    const cookieOnly = await put(archive, { cookie: 'mna_session=abc' });
    expect(cookieOnly.status).toBe(403);
    auth.signedIn = false;
    expect((await put(archive, { origin: `http://127.0.0.1:${port}` })).status).toBe(401);
    expect(files()).toEqual([]);
  });

  it('keeps the raw-body exception to this one route and content type', async () => {
    // Elsewhere a non-JSON body is still refused before any handler runs.
    const other = await put(archive, {}, '/api/other');
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.json)).toMatch(/JSON/);
    // A form's content type on the upload route is refused too.
    const form = await put(Buffer.from('a=1'), { 'content-type': 'text/plain' });
    expect(form.status).toBe(400);
    expect(files()).toEqual([]);
  });

  it('removes uploads never restored: all at start-up, else after a day', async () => {
    const first = String((await put(archive)).json.upload);
    const second = String((await put(archive)).json.upload);
    const old = new Date(Date.now() - 25 * 60 * 60 * 1000);
    utimesSync(uploads.pathOf(first), old, old);
    expect(await uploads.sweep(24 * 60 * 60 * 1000)).toBe(1);
    expect(files()).toEqual([`.upload-${second}.mnbackup`]);
    expect(await uploads.sweep(0)).toBe(1);
    expect(files()).toEqual([]);
  });
});
