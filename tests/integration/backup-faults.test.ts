/**
 * Backup faults on the rig (prod, stand-in images, real PostgreSQL 15 and Redis 7), through the
 * CLI and a real server's API: an archive of a newer format is refused before anything is touched;
 * the rig's dockerd restarted in the middle of a backup job fails that job cleanly, and the next
 * backup once the stack is back succeeds and verifies.
 *
 * The engine restart stops the shared engine (through its pidfile, as tests/rig/down.sh does) and
 * brings it back with tests/rig/up.sh, like engine-restart.test.ts: it disturbs other suites
 * running at that moment.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../server/src/contract/backup-routes.js';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { JobOutcome, ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { cli, cliOk } from './support/cli.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { request } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const PROJECT = `mnbkf${process.pid}`;
const PIDFILE = '/var/tmp/medianest-rig/dockerd.pid';
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-backup-faults-'));
const httpPort = await freeHttpPort();
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const api = (path: string): string => `http://127.0.0.1:${httpPort}/api/v1${path}`;
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;

/** nginx rate-limits the API per client: a loop waits its turn. */
async function send(path: string, method: string, body: string): Promise<number> {
  for (;;) {
    const res = await request(api(path), {
      method,
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 429) return res.status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Everything the stand-in backend holds (records, keys, files with their SHA-256). */
async function data(): Promise<unknown> {
  for (;;) {
    const res = await request(api('/state'));
    if (res.status === 200) return JSON.parse(res.body.toString()) as unknown;
    if (res.status !== 429 && res.status !== 502) {
      throw new Error(`GET /state: ${res.status} ${res.body.toString()}`);
    }
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

const backupsDir = join(home, 'backups');
const partials = (): string[] => readdirSync(backupsDir).filter((n) => n.endsWith('.partial'));
const scratch = { label: ['org.medianest.appliance.scratch'] };

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await cliOk(
    [
      'init',
      '--images',
      rig.imagesFile,
      '--http-port',
      String(httpPort),
      '--https-port',
      String(httpPort + 1),
      ...H,
    ],
    env,
  );
  await cliOk(['up', ...H], env);
  server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
  recorder = await recordEvents(url, token);
  for (let i = 0; i < 5; i += 1) {
    expect(await send('/records', 'POST', JSON.stringify({ title: `fault ${i}` }))).toBe(201);
    expect(await send(`/kv/fault:${i}`, 'PUT', `value ${i}`)).toBe(201);
  }
  expect(await send('/files/fault.bin', 'PUT', 'f'.repeat(50_000))).toBe(201);
}, 300_000);

afterAll(async () => {
  recorder?.close();
  await server?.stop();
  await cli(['down', ...H], env);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('an archive of a newer format', () => {
  it('is refused by the CLI and the API before anything is touched', async () => {
    const source = JSON.parse((await cliOk(['backup', '--json', ...H], env)).stdout) as Backup;
    // The same archive as a newer app would write it: format 2 in the header, and the header's
    // own digest (bytes 80..111, SHA-256 of 0..79) recomputed so the header is self-consistent.
    const file = join(home, 'newer-format.mnbackup');
    copyFileSync(join(backupsDir, source.file), file);
    const bytes = readFileSync(file);
    bytes.writeUInt16BE(2, 8);
    createHash('sha256').update(bytes.subarray(0, 80)).digest().copy(bytes, 80);
    writeFileSync(file, bytes);
    const keyText = readFileSync(join(home, 'recovery.key'), 'utf8').trim();
    const before = { data: await data(), catalogue: await client.backups({}) };

    const refused = await cli(['restore', file, '--yes', ...H], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('archive format 2 by a newer version of the app');
    expect(refused.stderr).toContain('Update the app');

    const preflight = await client
      .restorePreflight({ file, recoveryKey: keyText })
      .catch((e: unknown) => e);
    expect(preflight).toBeInstanceOf(ApiError);
    expect(preflight).toMatchObject({ code: 'unsupported_format', status: 422 });
    expect((preflight as ApiError).message).toContain('format 2');
    const restore = await client.restore({ file, recoveryKey: keyText }).catch((e: unknown) => e);
    expect(restore).toMatchObject({ code: 'unsupported_format', status: 422 });

    // Nothing changed: no safety snapshot in the catalogue, the data as it was, the stack up.
    expect(await client.backups({})).toEqual(before.catalogue);
    expect(await data()).toEqual(before.data);
    expect((await client.stackHealth({})).status).toBe('healthy');
  });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the rig dockerd's pidfile (as tests/rig/down.sh does), then wait for it to exit. */
async function stopRigEngine(): Promise<void> {
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
  expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('dockerd');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 900 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(alive(pid)).toBe(false);
}

async function healthy(): Promise<void> {
  for (let i = 0; i < 240; i += 1) {
    const health = await client.stackHealth({}).catch(() => undefined);
    if (health?.status === 'healthy') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the stack did not come back healthy after the engine restart');
}

describe('the engine restarting in the middle of a backup', () => {
  it(
    'fails the job cleanly; the next backup succeeds and verifies',
    { timeout: 600_000 },
    async () => {
      const before = await data();
      const { jobId } = await client.createBackup({});
      await recorder.waitFor(
        (e): e is Extract<ServerEvent, { type: 'job.progressed' }> =>
          e.type === 'job.progressed' && e.jobId === jobId && e.step === 'Snapshotting Redis',
        120_000,
      );
      await stopRigEngine();
      try {
        const end = await finished(jobId);
        expect(end.outcome).toBe('failed');
        expect(end.error?.code).toBe('engine_unavailable');
        expect(end.error?.message).toMatch(/Docker engine|not reachable/);
        // The catalogue says failed, not a success; nothing half-written is left.
        const [row] = await client.backups({});
        expect(row).toMatchObject({ state: 'failed', error: { code: 'engine_unavailable' } });
        expect(readdirSync(backupsDir)).not.toContain(row?.file);
        expect(partials()).toEqual([]);
      } finally {
        await promisify(execFile)('bash', ['tests/rig/up.sh'], { timeout: 300_000 });
      }
      await healthy();
      expect(await docker.listContainers({ all: true, filters: scratch })).toEqual([]);
      expect(await data()).toEqual(before);

      const next = await client.createBackup({});
      const end = await finished(next.jobId);
      expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
      const [row] = await client.backups({});
      expect(row).toMatchObject({ kind: 'manual', state: 'verified' });
      const check = await cli(['verify', row?.id ?? '', ...H], env);
      expect(check.code, check.stderr).toBe(0);
      expect(partials()).toEqual([]);
    },
  );
});
