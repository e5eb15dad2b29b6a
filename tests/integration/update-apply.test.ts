/**
 * Applying an update on the rig (issue 18, section 2), one stack installed on backend v1 with data
 * seeded through the app (records, an upload, a Redis key), then in turn:
 * - v1 -> v2-badmigration: its fifth migration fails; rolled back by itself: schema, rows, keys
 *   and files exactly as before (checksums), healthy on v1, the reason names the migration;
 * - v1 -> v2-broken: its migration applies but it never turns healthy; rolled back the same way,
 *   the reason says it did not become healthy;
 * - v1 -> v2: succeeds; the data intact, `/api/health` through nginx answers v2, the history
 *   records all three, the v1 image is still on the engine (a rollback needs no network);
 * - the manual rollback, as the UI starts it (`POST /api/updates/rollback`, a job): back on v1
 *   with the database from before the update (v2's migration gone), the data as before.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import type { UpdateRecord } from '../../server/src/core/updates/update-history.js';
import { createServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { recordEvents } from './support/events.js';
import { cli, cliOk } from './support/cli.js';
import { request } from './support/http.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { backendVersionImages, rigDocker, rigEnv } from './support/rig.js';
import { execInService } from './support/service-exec.js';
import { standInApi, type StandInApi } from './support/stand-in-api.js';

const PROJECT = 'mna-update-apply';
const LABEL = `com.docker.compose.project=${PROJECT}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const versions = backendVersionImages(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-update-apply-'));
const home = join(dir, 'home');
const env = stackEnv(rig.dockerHost, PROJECT);
const H = ['--home', home];
const STEP_MS = 600_000;

let api: StandInApi;
let httpPort: number;

/** Tables, columns and recorded migrations: what a migration changes. */
async function schema(): Promise<string> {
  const sql =
    "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public'";
  const columns = await execInService(docker, LABEL, 'postgres', [
    'psql',
    '-U',
    'medianest',
    '-d',
    'medianest',
    '-Atc',
    sql,
  ]);
  const migrations = await execInService(docker, LABEL, 'postgres', [
    'psql',
    '-U',
    'medianest',
    '-d',
    'medianest',
    '-Atc',
    "SELECT string_agg(migration_name, ',' ORDER BY migration_name) FROM _prisma_migrations",
  ]);
  expect(columns.exitCode, columns.stderr).toBe(0);
  return createHash('sha256')
    .update(columns.stdout + migrations.stdout)
    .digest('hex');
}

/** Counts and checksums of the records, files and Redis keys, as the app sees them. */
const data = (): Promise<unknown> => api.getJson('/state');

async function version(): Promise<string | undefined> {
  const res = await request(`http://127.0.0.1:${httpPort}/api/health`);
  return (JSON.parse(res.body.toString()) as { version?: string }).version;
}

const history = async (): Promise<UpdateRecord[]> =>
  JSON.parse((await cliOk(['update', 'history', '--json', ...H], env)).stdout) as UpdateRecord[];

/** Every long-running service running and healthy by Docker's own verdict (its first check runs one interval after the start). */
async function allHealthy(): Promise<void> {
  let bad: unknown[] = [];
  for (let tries = 0; tries < 45; tries += 1) {
    const rows = JSON.parse((await cliOk(['status', '--json', ...H], env)).stdout) as Array<{
      service: string;
      state: string;
      health: string;
    }>;
    bad = rows.filter(
      (r) => r.service !== 'migrate' && !(r.state === 'running' && r.health === 'healthy'),
    );
    if (bad.length === 0) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  expect(bad).toEqual([]);
}

let before: { schema: string; data: unknown };

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  const imagesFile = join(dir, 'images-v1.json');
  writeFileSync(
    imagesFile,
    JSON.stringify({ ...rig.images, backend: versions.v1, migrate: versions.v1 }),
  );
  ({ httpPort } = await initStack(rig, home, env, imagesFile));
  api = standInApi(httpPort);
  await cliOk(['up', ...H], env);
  for (let i = 0; i < 3; i += 1) {
    const status = await api.send('/records', 'POST', JSON.stringify({ title: `record ${i}` }), {
      'content-type': 'application/json',
    });
    expect(status).toBe(201);
  }
  expect(await api.send('/files/kept.bin', 'PUT', Buffer.alloc(8192, 3))).toBe(201);
  expect(await api.send('/kv/kept', 'PUT', 'value')).toBe(201);
  before = { schema: await schema(), data: await data() };
  expect(await version()).toBe('v1');
}, STEP_MS);

afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

async function failedUpdate(to: string): Promise<string> {
  const started = Date.now();
  const result = await cli(['update', '--to', to, '--yes', '--json', ...H], env);
  console.log(`update to ${to}: ${Math.round((Date.now() - started) / 1000)} s`);
  expect(result.code, result.stderr).toBe(1);
  // Everything as before: the data through the app, the schema, the version answering.
  expect(await data()).toEqual(before.data);
  expect(await schema()).toBe(before.schema);
  expect(await version()).toBe('v1');
  await allHealthy();
  const [record] = await history();
  expect(record).toMatchObject({ result: 'rolled-back', to: { backend: to } });
  expect(record?.snapshotId).toBeTruthy();
  console.log(`rolled back: ${record?.reason ?? ''}`);
  return record?.reason ?? '';
}

describe('applying an update', () => {
  it(
    'rolls back a failing migration by itself, naming it',
    async () => {
      const reason = await failedUpdate(versions['v2-badmigration']);
      expect(reason).toMatch(/migrate exited with code 1[\s\S]*20251105000000_add_tag_colors/);
    },
    STEP_MS,
  );

  it(
    'rolls back a version that never turns healthy',
    async () => {
      const reason = await failedUpdate(versions['v2-broken']);
      expect(reason).toMatch(/backend did not become healthy/);
    },
    STEP_MS,
  );

  it(
    'updates to v2: data intact, v2 answering, recorded, the v1 image kept',
    async () => {
      const started = Date.now();
      const result = await cliOk(['update', '--to', versions.v2, '--yes', '--json', ...H], env);
      console.log(`update to v2: ${Math.round((Date.now() - started) / 1000)} s`);
      expect(JSON.parse(result.stdout)).toMatchObject({ result: 'succeeded' });
      expect(await data()).toEqual(before.data);
      expect(await version()).toBe('v2');
      await allHealthy();
      const records = await history();
      expect(records.map((r) => r.result)).toEqual(['succeeded', 'rolled-back', 'rolled-back']);
      expect(records[0]).toMatchObject({
        from: { backend: versions.v1 },
        to: { backend: versions.v2 },
      });
      await docker.getImage(versions.v1).inspect();
    },
    STEP_MS,
  );

  it(
    'rolls back to v1 in one action through the API, the database from before the update',
    async () => {
      const server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
      const { url, token } = await server.start();
      const recorder = await recordEvents(url, token);
      try {
        const client = createApiClient({ baseUrl: url, token });
        const started = Date.now();
        const { jobId, kind } = await client.updatesRollback({});
        expect(kind).toBe('update');
        const end = await recorder.waitFor(
          (e): e is Extract<ServerEvent, { type: 'job.finished' }> =>
            e.type === 'job.finished' && e.jobId === jobId,
          STEP_MS,
        );
        console.log(`rollback to v1: ${Math.round((Date.now() - started) / 1000)} s`);
        expect(end.error?.message).toBeUndefined();
        expect(end.outcome).toBe('succeeded');
        expect(await version()).toBe('v1');
        expect(await data()).toEqual(before.data);
        expect(await schema()).toBe(before.schema);
        const [record] = await client.updatesHistory({});
        expect(record).toMatchObject({
          kind: 'rollback',
          result: 'succeeded',
          to: { backend: versions.v1 },
        });
      } finally {
        recorder.close();
        await server.stop();
      }
    },
    STEP_MS,
  );
});
