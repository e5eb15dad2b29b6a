/**
 * The backup API on the rig: a backup as a job with step/percent/bytes progress, one job at a
 * time, the catalogue and storage figures, schedule validation, restore preflight and restore as a
 * job; PostgreSQL down fails fast with nothing recorded as success; an archive from a newer
 * PostgreSQL is refused before anything is touched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { JobOutcome, ServerEvent } from '../../server/src/contract/events.js';
import { createArchiveWriter } from '../../server/src/core/backup/archive/writer.js';
import { recoveryKeyCodec } from '../../server/src/core/backup/recovery-codec.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { cli } from './support/cli.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { request } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const PROJECT = `mnbkapi${process.pid}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-backup-api-'));
const httpPort = await freeHttpPort();
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const api = (path: string): string => `http://127.0.0.1:${httpPort}/api/v1${path}`;
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;

async function send(path: string, method: string, body?: string): Promise<number> {
  for (;;) {
    const res = await request(api(path), {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
    if (res.status !== 429) return res.status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function state(): Promise<unknown> {
  for (;;) {
    const res = await request(api('/state'));
    if (res.status === 200) return JSON.parse(res.body.toString()) as unknown;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function finished(
  jobId: string,
): Promise<{ outcome: JobOutcome; error?: { code: string; message: string } }> {
  const isEnd = (e: ServerEvent): e is Extract<ServerEvent, { type: 'job.finished' }> =>
    e.type === 'job.finished' && e.jobId === jobId;
  return recorder.waitFor(isEnd, 400_000);
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  for (const args of [
    [
      'init',
      '--images',
      rig.imagesFile,
      '--http-port',
      String(httpPort),
      '--https-port',
      String(httpPort + 1),
    ],
    ['up'],
  ]) {
    const result = await cli([...args, ...H], env);
    if (result.code !== 0) throw new Error(`${args[0]}: ${result.stderr}`);
  }
  server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
  recorder = await recordEvents(url, token);
}, 300_000);

afterAll(async () => {
  recorder?.close();
  await server?.stop();
  await cli(['down', ...H], env);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('the backup API', () => {
  let backupId = '';
  let backedUp: unknown;

  it('has no successful backup before the first one', async () => {
    const storage = await client.backupStorage({});
    expect(storage.location).toBe(join(home, 'backups'));
    expect(storage.lastSuccessfulBackupAt).toBeUndefined();
    expect(storage.count).toBe(0);
  });

  it('takes a backup as a job with progress, one job at a time', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect(await send('/records', 'POST', JSON.stringify({ title: `api ${i}` }))).toBe(201);
      expect(await send(`/kv/api:${i}`, 'PUT', `value ${i}`)).toBe(201);
    }
    expect(await send('/files/api.bin', 'PUT', 'x'.repeat(200_000))).toBe(201);
    backedUp = await state();
    const { jobId, kind } = await client.createBackup({});
    expect(kind).toBe('backup');
    const busy = await client.createBackup({}).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ApiError);
    expect((busy as ApiError).code).toBe('busy');
    const end = await finished(jobId);
    expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
    const progress = recorder.events.filter(
      (e): e is Extract<ServerEvent, { type: 'job.progressed' }> =>
        e.type === 'job.progressed' && e.jobId === jobId,
    );
    expect(progress.some((e) => e.step.startsWith('Writing') && (e.bytes?.done ?? 0) > 0)).toBe(
      true,
    );
    expect(progress.at(-1)).toMatchObject({ step: 'Backup verified', percent: 100 });
    const [row] = await client.backups({});
    expect(row).toMatchObject({ kind: 'manual', state: 'verified' });
    backupId = row?.id ?? '';
    const storage = await client.backupStorage({});
    expect(storage.lastSuccessfulBackupAt).toBe(row?.createdAt);
    expect(storage.usedBytes).toBe(row?.size);
    expect(storage.nextRunAt).toBeDefined();
  });

  it('validates the schedule, naming the field', async () => {
    expect(await client.backupSchedule({})).toMatchObject({
      daily: { enabled: true, time: '02:00' },
      weekly: { enabled: true, weekday: 0, time: '04:00' },
      retention: { daily: 7, weekly: 4 },
    });
    const bad = await client
      .setBackupSchedule({
        daily: { enabled: true, time: '25:00' },
        weekly: { enabled: true, weekday: 0, time: '04:00' },
        retention: { daily: 7, weekly: 4 },
      })
      .catch((e: unknown) => e);
    expect((bad as ApiError).code).toBe('validation_failed');
    expect((bad as ApiError).message).toContain('daily.time');
    const changed = {
      daily: { enabled: true, time: '03:30' },
      weekly: { enabled: false, weekday: 6, time: '05:00' },
      retention: { daily: 3, weekly: 2 },
    };
    await client.setBackupSchedule(changed);
    expect(await client.backupSchedule({})).toEqual(changed);
  });

  it('shows what a backup holds, then restores it as a job', async () => {
    const preflight = await client.restorePreflight({ id: backupId });
    expect(preflight).toMatchObject({
      restorable: true,
      postgresMajor: 15,
      targetPostgresMajor: 15,
    });
    expect(preflight.rowCounts['public.rig_records']).toBe(10);
    expect(preflight.contents.find((c) => c.path === 'files/uploads')).toMatchObject({
      files: 1,
      bytes: 200_000,
    });
    for (let i = 0; i < 3; i += 1) expect(await send(`/records/${i + 1}`, 'DELETE')).toBe(204);
    expect(await send('/kv/api:0', 'DELETE')).toBe(204);
    expect(await state()).not.toEqual(backedUp);
    const { jobId } = await client.restore({ id: backupId });
    const end = await finished(jobId);
    expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
    expect(await state()).toEqual(backedUp);
  });

  it('refuses an archive from a newer PostgreSQL before touching anything', async () => {
    const keyText = readFileSync(join(home, 'recovery.key'), 'utf8');
    const file = join(home, 'newer-pg.mnbackup');
    await createArchiveWriter().write(
      file,
      [
        {
          kind: 'file',
          path: 'db/medianest.dump',
          open: () => Promise.resolve(Readable.from([Buffer.from('x')])),
        },
      ],
      { postgresMajor: 99, rowCounts: {} },
      recoveryKeyCodec.parse(keyText),
    );
    const before = await client.backups({});
    const preflight = await client.restorePreflight({ file, recoveryKey: keyText });
    expect(preflight.restorable).toBe(false);
    expect(preflight.refusal).toContain('PostgreSQL 99');
    const refused = await client.restore({ file, recoveryKey: keyText }).catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('restore_failed');
    // No safety snapshot, no change: the catalogue and the data are as they were.
    expect(await client.backups({})).toEqual(before);
    expect(await state()).toEqual(backedUp);
  });

  it('fails fast when PostgreSQL is down, with nothing recorded as a success', async () => {
    const before = await client.backups({});
    expect((await cli(['stop', 'postgres', ...H], env)).code).toBe(0);
    try {
      const { jobId } = await client.createBackup({});
      const end = await finished(jobId);
      expect(end.outcome).toBe('failed');
      expect(end.error).toMatchObject({ code: 'backup_failed' });
      expect(end.error?.message).toContain('PostgreSQL is not reachable');
      expect(await client.backups({})).toEqual(before);
    } finally {
      expect((await cli(['start', ...H], env)).code).toBe(0);
    }
  });
});
