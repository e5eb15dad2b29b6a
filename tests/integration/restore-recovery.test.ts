/**
 * A restore on a stack that is not running, and an interrupted restore settled by whatever verb the
 * user runs next, on the rig (stand-in images, real PostgreSQL and Redis), one stack for all:
 * - after `down` (containers gone, home and data kept) and after `stop`, `restore ID --yes` starts
 *   what it needs itself and ends with the stack up and the backup's data in it;
 * - a restore SIGKILLed mid-way, then `up` (what a user runs when MediaNest is down) or `stop`:
 *   the verb first rolls the restore back (or finishes its commit), says so, and leaves no
 *   `.restore-staging` / `.restore-previous` in the data folder nor a staging database;
 * - the same with the server running: its `up` job (the UI's) settles the restore first and says
 *   so as the job's first step.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../server/src/contract/backup-routes.js';
import { createApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { PREVIOUS_DB, RESTORE_DB } from '../../server/src/core/backup/stack-state.js';
import { STACK_CONFIG_KEY } from '../../server/src/core/settings/settings-repository.js';
import { createServer } from '../../server/src/index.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { openDatabase } from '../../server/src/infra/store/database.js';
import { SqliteSettings } from '../../server/src/infra/store/sqlite-settings.js';
import { cliWithin, killAt } from './support/crash.js';
import { recordEvents } from './support/events.js';
import { initStack } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { execInService } from './support/service-exec.js';
import { standInApi, type StandInApi } from './support/stand-in-api.js';

const PROJECT = 'mna-restore-recovery';
const LABEL = `com.docker.compose.project=${PROJECT}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-restore-recovery-'));
const paths = homePaths(home);
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const VERB_TIMEOUT_MS = 180_000;
const APP = ['backend', 'frontend', 'nginx', 'postgres', 'redis'];

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWithin([...args, ...H], env, VERB_TIMEOUT_MS);
}

async function ok(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await run(args);
  if (result.code !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

let api: StandInApi;
/** Counts and checksums of every record, file and Redis key the stand-in backend holds. */
const data = (): Promise<unknown> => api.getJson('/state');

async function addRecord(title: string): Promise<void> {
  const status = await api.send('/records', 'POST', JSON.stringify({ title }), {
    'content-type': 'application/json',
  });
  expect(status).toBe(201);
}

/** The services of this stack whose container runs. */
async function running(): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  return containers
    .filter((c) => c.State === 'running')
    .map((c) => c.Labels['com.docker.compose.service'] ?? '')
    .sort();
}

/** What a restore leaves in the data folder while it is not settled. */
const leftovers = (): string[] =>
  readdirSync(paths.dataDir).filter((n) => n.startsWith('.restore'));

async function databases(): Promise<string[]> {
  const dbs = await execInService(docker, LABEL, 'postgres', [
    'psql',
    '-U',
    'medianest',
    '-d',
    'postgres',
    '-Atc',
    'SELECT datname FROM pg_database ORDER BY 1',
  ]);
  expect(dbs.exitCode, dbs.stderr).toBe(0);
  return dbs.stdout.trim().split('\n');
}

let base: Backup;
/** The data `base` holds. */
let backedUp: unknown;

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await initStack(rig, home, env);
  const db = openDatabase(paths.db);
  const config = new SqliteSettings(db).get(STACK_CONFIG_KEY) as { httpPort: number };
  db.close();
  api = standInApi(config.httpPort);
  await ok(['up']);
  for (let i = 0; i < 5; i += 1) await addRecord(`kept record ${i}`);
  expect(await api.send('/files/kept.bin', 'PUT', Buffer.alloc(4096, 7))).toBe(201);
  expect(await api.send('/kv/kept', 'PUT', 'value')).toBe(201);
  backedUp = await data();
  base = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
}, 300_000);

afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('restore on a stack that is not running', () => {
  it('after `down`: starts PostgreSQL and Redis itself, restores, and ends with the stack up', async () => {
    await addRecord('made after the backup');
    expect(await data()).not.toEqual(backedUp);
    await ok(['down']);
    expect(await running()).toEqual([]);

    const restored = await run(['restore', base.id, '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain('Starting PostgreSQL and Redis');
    expect(await running()).toEqual(APP);
    expect(await data()).toEqual(backedUp);
    expect(leftovers()).toEqual([]);
  }, 300_000);

  it('after `stop`: the same, from stopped containers', async () => {
    await addRecord('made after the backup, again');
    await ok(['stop']);
    expect(await running()).toEqual([]);

    const restored = await run(['restore', base.id, '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await running()).toEqual(APP);
    expect(await data()).toEqual(backedUp);
  }, 300_000);
});

describe('a restore killed mid-way, settled by the next verb', () => {
  it('then `up`: rolled back, said so, nothing left in the data folder, the data as before', async () => {
    await addRecord('before the killed restore');
    const before = await data();
    const outcome = await killAt(
      ['restore', base.id, '--yes', ...H],
      env,
      { step: 'Swapping in the restored data' },
      VERB_TIMEOUT_MS,
    );
    expect(outcome.killed, outcome.stderr).toBe(true);
    // What the user is left with before the fix: the staging and the aside copy of the data.
    expect(leftovers().length).toBeGreaterThan(0);

    const up = await ok(['up']);
    expect(up.stderr).toMatch(/An interrupted restore \(from .+\) was rolled back\./);
    expect(leftovers()).toEqual([]);
    expect((await databases()).filter((n) => n === RESTORE_DB || n === PREVIOUS_DB)).toEqual([]);
    expect(await running()).toEqual(APP);
    expect(await data()).toEqual(before);
  }, 300_000);

  it('killed while staging, then `stop`: its staging removed, said so, nothing else touched', async () => {
    const before = await data();
    const outcome = await killAt(
      ['restore', base.id, '--yes', ...H],
      env,
      { step: 'Extracting files into staging' },
      VERB_TIMEOUT_MS,
    );
    expect(outcome.killed, outcome.stderr).toBe(true);
    expect(existsSync(join(paths.dataDir, '.restore-staging'))).toBe(true);

    const stop = await ok(['stop']);
    expect(stop.stderr).toMatch(/An interrupted restore \(from .+\) had changed nothing yet/);
    expect(leftovers()).toEqual([]);
    await ok(['start']);
    expect(await databases()).not.toContain(RESTORE_DB);
    expect(await data()).toEqual(before);
  }, 300_000);

  it('the server running, then its `up` job (the UI): settled first, the job says so', async () => {
    const server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
    const { url, token } = await server.start();
    const recorder = await recordEvents(url, token);
    try {
      // Past the server's own clean-up at start (it holds the job lock for a moment).
      await recorder.waitFor(
        (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
          e.type === 'stack.status-changed' && e.status === 'healthy',
        60_000,
      );
      const before = await data();
      const outcome = await killAt(
        ['restore', base.id, '--yes', ...H],
        env,
        { step: 'Swapping in the restored data' },
        VERB_TIMEOUT_MS,
      );
      expect(outcome.killed, outcome.stderr).toBe(true);
      expect(leftovers().length).toBeGreaterThan(0);

      const client = createApiClient({ baseUrl: url, token });
      const { jobId } = await client.stackAction({ action: 'up', services: [] });
      const end = await recorder.waitFor(
        (e): e is Extract<ServerEvent, { type: 'job.finished' }> =>
          e.type === 'job.finished' && e.jobId === jobId,
        VERB_TIMEOUT_MS,
      );
      const steps = recorder.events.flatMap((e) =>
        e.type === 'job.progressed' && e.jobId === jobId ? [e.step] : [],
      );
      expect(steps[0]).toMatch(/^An interrupted restore \(from .+\) was rolled back\.$/);
      expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
      expect(leftovers()).toEqual([]);
      expect(await running()).toEqual(APP);
      expect(await data()).toEqual(before);
    } finally {
      recorder.close();
      await server.stop();
    }
  }, 300_000);
});
