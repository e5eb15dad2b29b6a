/**
 * SIGKILL of the manager (the CLI, its own process) at 10+ points of a backup, a prune and a
 * restore, on the rig (prod, stand-in images, real PostgreSQL 15 and Redis 7), one stack for all.
 * Points are step boundaries read from the CLI's progress on stderr, plus seeded random delays;
 * the seed is printed (CRASH_SEED=N replays it) and named in every failure. After each kill the
 * next backup verb cleans up, and: every archive the catalogue calls good is there and verifies,
 * no partial file is left, the data (records, files, Redis keys through the stand-in backend) is
 * what it was (or, after a restore's commit, what the backup held), the stack is running.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup, BackupKind, BackupState } from '../../server/src/contract/backup-routes.js';
import { writeSchedule } from '../../server/src/core/backup/backup-schedule.js';
import { archiveName } from '../../server/src/core/backup/backup-service.js';
import { DEFAULT_BACKUP_SCHEDULE } from '../../server/src/core/backup/schedule.js';
import { PREVIOUS_DB, RESTORE_DB } from '../../server/src/core/backup/stack-state.js';
import { STACK_CONFIG_KEY } from '../../server/src/core/settings/settings-repository.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { openDatabase } from '../../server/src/infra/store/database.js';
import { SqliteBackups } from '../../server/src/infra/store/sqlite-backups.js';
import { SqliteSettings } from '../../server/src/infra/store/sqlite-settings.js';
import {
  cliWithin,
  crashSeed,
  killAt,
  seededRandom,
  type KillOutcome,
  type KillPoint,
} from './support/crash.js';
import { initStack } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { execInService } from './support/service-exec.js';
import { standInApi, type StandInApi } from './support/stand-in-api.js';

const PROJECT = `mnbc${process.pid}`;
const LABEL = `com.docker.compose.project=${PROJECT}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-backup-crash-'));
const paths = homePaths(home);
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const SEED = crashSeed('backup-crash');
const random = seededRandom(SEED);
/** A kill point that is not reached, or a verb that does not finish, within this fails the test. */
const KILL_TIMEOUT_MS = 120_000;
const VERB_TIMEOUT_MS = 120_000;
const GOOD: ReadonlySet<BackupState> = new Set(['verified', 'verified-restorable']);
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

/** What a kill point is, for failure messages: enough to replay it. */
const describePoint = (p: KillPoint): string =>
  `seed ${SEED}: killed ${p.delayMs ?? 0} ms after "${p.step}"` +
  (p.occurrence && p.occurrence > 1 ? ` (x${p.occurrence})` : '');

/** stderr of the last killed run, for a failure's message. */
let lastSaid = '';
/** Where the last killed run was: its last progress line, or that it had finished. */
let lastAt = '';

async function kill(args: string[], point: KillPoint): Promise<KillOutcome> {
  lastSaid = '';
  lastAt = '';
  const outcome = await killAt([...args, ...H], env, point, KILL_TIMEOUT_MS);
  lastSaid = outcome.stderr;
  lastAt = outcome.killed ? `killed at "${outcome.lastLine}"` : `had exited ${outcome.code}`;
  return outcome;
}

/** Runs one point's checks; a failure names the seed and the point, and what the CLI printed. */
async function atPoint(point: KillPoint, work: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await work();
    console.log(`${describePoint(point)}: ${lastAt}; checked in ${Date.now() - started} ms`);
  } catch (error) {
    const e = error as Error;
    e.message = `${describePoint(point)}\n${e.message}\n--- stderr of the killed run ---\n${lastSaid}`;
    throw e;
  }
}

let api: StandInApi;
const send = (path: string, method: string, body: Buffer | string): Promise<number> =>
  api.send(path, method, body, { 'content-type': 'application/json' });
/** Counts and checksums of every record, file and Redis key the stand-in backend holds. */
const data = (): Promise<unknown> => api.getJson('/state');

async function addRecord(title: string): Promise<void> {
  expect(await send('/records', 'POST', JSON.stringify({ title }))).toBe(201);
}

async function catalogue(): Promise<Backup[]> {
  return JSON.parse((await ok(['backups', '--json'])).stdout) as Backup[];
}

/** SHA-256 of archives that verified in this run: identical bytes are not verified again. */
const verified = new Set<string>();

/**
 * Every row the catalogue calls good has its archive and it verifies; no partial file is left.
 * `fresh`: a backup the recovering verb itself just took and verified, not verified again (its
 * file must still be there). Returns the rows.
 */
async function catalogueIsTrue(fresh?: string): Promise<Backup[]> {
  const rows = await catalogue();
  const present = readdirSync(paths.backupsDir);
  for (const row of rows.filter((r) => GOOD.has(r.state))) {
    expect(present, `${row.file} is catalogued ${row.state} but is not there`).toContain(row.file);
    const digest = createHash('sha256')
      .update(readFileSync(join(paths.backupsDir, row.file)))
      .digest('hex');
    if (verified.has(digest) || row.id === fresh) continue;
    const check = await run(['verify', row.id]);
    expect(check.code, `${row.file} (${row.state}) does not verify: ${check.stderr}`).toBe(0);
    verified.add(digest);
  }
  expect(present.filter((n) => n.endsWith('.partial'))).toEqual([]);
  return rows;
}

/** Every long-running service of the stack is running. */
async function stackRunning(): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  const running = containers
    .filter((c) => c.State === 'running')
    .map((c) => c.Labels['com.docker.compose.service'] ?? '')
    .sort();
  expect(running, 'services running').toEqual(APP);
}

/** No staging or swapped-aside data (folders, databases) of a restore is left. */
async function noRestoreLeftovers(): Promise<void> {
  expect(readdirSync(paths.dataDir).filter((n) => n.startsWith('.restore'))).toEqual([]);
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
  const names = dbs.stdout.trim().split('\n');
  expect(names).toContain('medianest');
  expect(names.filter((n) => n === RESTORE_DB || n === PREVIOUS_DB)).toEqual([]);
}

/** `count` seeded delays in [0, spanMs] after `step`. */
function randomPoints(step: string, spanMs: number, count: number): KillPoint[] {
  return Array.from({ length: count }, () => ({ step, delayMs: Math.round(random() * spanMs) }));
}

/** The data all three tests keep: small, so each kill point costs seconds, not minutes. */
async function seed(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await addRecord(`crash record ${i} é ✓`);
  for (const [i, size] of [0, 1000, 20_000, 300_000].entries()) {
    expect(await send(`/files/crash-${i}.bin`, 'PUT', randomBytes(size))).toBe(201);
  }
  for (let i = 0; i < 10; i += 1) {
    expect(await send(`/kv/crash:${i}`, 'PUT', randomBytes(32).toString('hex'))).toBe(201);
  }
}

let base: Backup;
let daysAgo = 10;

/**
 * A catalogued copy of the base archive (a real file, a real row), as if taken `daysAgo` days ago;
 * a failed one has no file. Each call goes one day further back.
 */
function plant(rows: SqliteBackups, kind: BackupKind, state: BackupState): Backup {
  const at = new Date(Date.now() - daysAgo * 86_400_000);
  daysAgo += 1;
  const file = archiveName(at, kind);
  const source = join(paths.backupsDir, base.file);
  if (state !== 'failed') copyFileSync(source, join(paths.backupsDir, file));
  const id = randomUUID();
  rows.insert({ id, file, kind, createdAt: at.toISOString() });
  rows.update(id, {
    state,
    size: statSync(source).size,
    ...(GOOD.has(state) ? { verifiedAt: at.toISOString() } : {}),
    ...(state === 'failed' ? { error: { code: 'backup_failed', message: 'planted' } } : {}),
  });
  return rows.get(id) as Backup;
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await initStack(rig, home, env);
  const db = openDatabase(paths.db);
  const config = new SqliteSettings(db).get(STACK_CONFIG_KEY) as { httpPort: number };
  db.close();
  api = standInApi(config.httpPort);
  await ok(['up']);
  await seed();
  base = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
}, 300_000);

afterAll(async () => {
  // Its containers removed by force: nothing of this throwaway stack needs a clean stop.
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('SIGKILL of the manager', () => {
  it('during a backup, at 10 points: the next backup verifies, good rows verify, data unchanged', async () => {
    const boundaries = [
      'Checking PostgreSQL and free space',
      'Snapshotting Redis',
      'Counting rows',
      'Writing db/medianest.dump',
      'Writing files/uploads',
      'Verifying checksums',
      'Verifying files/uploads',
      'Reading the database dump',
    ].map((step) => ({ step }));
    const reached = new Map<string, number>();
    const runPoint = async (point: KillPoint): Promise<void> => {
      await atPoint(point, async () => {
        const before = await data();
        const outcome = await kill(['backup'], point);
        reached.set(point.step, outcome.reachedMs);
        // The next backup verb cleans up first, then must itself succeed and verify.
        const next = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
        expect(next.state).toBe('verified');
        await catalogueIsTrue(next.id);
        expect(await data()).toEqual(before);
        await stackRunning();
      });
    };
    for (const point of boundaries) await runPoint(point);
    // Random points span the whole backup (first line to the dump's check), a bit beyond its end.
    const span = Math.max(200, (reached.get('Reading the database dump') ?? 2_000) * 1.2);
    for (const point of randomPoints('Checking PostgreSQL and free space', span, 2)) {
      await runPoint(point);
    }
  }, 240_000);

  it('during a prune, at 10 points: no good row without its archive, manual and safety kept', async () => {
    const db = openDatabase(paths.db);
    writeSchedule(new SqliteSettings(db), {
      ...DEFAULT_BACKUP_SCHEDULE,
      retention: { daily: 1, weekly: 1 },
    });
    const rows = new SqliteBackups(db);
    // The newest scheduled backup: the one retention keeps.
    const newest = plant(rows, 'daily', 'verified');
    // Never pruned: the user's own backups, safety snapshots, failed and unverified ones.
    const untouchable = [
      plant(rows, 'manual', 'verified'),
      plant(rows, 'safety', 'verified'),
      plant(rows, 'daily', 'failed'),
      plant(rows, 'daily', 'complete'),
      ...rows.list().filter((r) => r.kind === 'manual' || r.kind === 'safety'),
    ];
    db.close();

    const PER_RUN = 24;
    const before = await data();
    // Distinct points: after the k-th `Removing` line for 10 different k, plus a seeded delay.
    const ks = new Set<number>([1, PER_RUN - 1]);
    while (ks.size < 10) ks.add(1 + Math.floor(random() * (PER_RUN - 2)));
    const points: KillPoint[] = [...ks]
      .sort((a, b) => a - b)
      .map((occurrence) => ({
        step: 'Removing ',
        occurrence,
        // The last one waits past the end: a kill after the prune finished is a point too.
        delayMs: occurrence === PER_RUN - 1 ? 2_000 : Math.round(random() * 5),
      }));
    for (const point of points) {
      await atPoint(point, async () => {
        const db = openDatabase(paths.db);
        try {
          const rows = new SqliteBackups(db);
          const good = rows.list().filter((r) => r.kind === 'daily' && GOOD.has(r.state));
          for (let n = good.length; n < PER_RUN; n += 1) plant(rows, 'daily', 'verified');
        } finally {
          db.close();
        }
        const outcome = await kill(['backups', 'prune'], point);
        // Right after the kill, before any recovery: at most the archive being removed is gone
        // while its row still says good, and it is the one the prune named last.
        const removing = outcome.stderr
          .split('\n')
          .filter((l) => l.startsWith('Removing '))
          .map((l) => l.slice('Removing '.length).trim());
        const present = readdirSync(paths.backupsDir);
        const orphans = (await catalogue())
          .filter((r) => GOOD.has(r.state) && !present.includes(r.file))
          .map((r) => r.file);
        expect(
          orphans.length,
          `good rows without their archive: ${orphans.join(', ')}`,
        ).toBeLessThanOrEqual(1);
        for (const file of orphans) expect(file).toBe(removing.at(-1));

        // The next prune recovers (such a row is marked missing) and finishes the job.
        await ok(['backups', 'prune']);
        const after = await catalogueIsTrue();
        const dailies = after.filter((r) => r.kind === 'daily' && GOOD.has(r.state));
        expect(dailies.map((r) => r.id)).toEqual([newest.id]);
        const left = readdirSync(paths.backupsDir);
        for (const row of untouchable) {
          const now = after.find((r) => r.id === row.id);
          expect(now?.state, `${row.kind} ${row.file}`).toBe(row.state);
          if (row.state !== 'failed') expect(left).toContain(row.file);
        }
        expect(await data()).toEqual(before);
        await stackRunning();
      });
    }
  }, 180_000);

  it('during a restore, at 12 points: rolled back (or committed) at the next start, nothing left over', async () => {
    await addRecord('restore target');
    const target = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
    const restored = await data();
    const boundaries: KillPoint[] = [
      'Verifying the archive',
      'Safety snapshot',
      'Restoring the database into staging',
      'Extracting files into staging',
      'Stopping the app',
      'Swapping in the restored data',
      'Starting the app',
      'Committing',
      // Its last line: the kill lands after the commit, so the restored data must stay.
      'Restored',
    ].map((step): KillPoint => ({ step }));
    // Inside the commit, where the previous database may be gone while its folders are not: the
    // next start must finish the commit, never put back a mix of old folders and the new database.
    boundaries.push({ step: 'Committing', delayMs: 300 });
    const reached = new Map<string, number>();
    let n = 0;
    const runPoint = async (point: KillPoint): Promise<void> => {
      await atPoint(point, async () => {
        n += 1;
        await addRecord(`before restore kill ${n}`);
        const before = await data();
        const t0 = Date.now();
        const outcome = await kill(['restore', target.id, '--yes'], point);
        reached.set(point.step, outcome.reachedMs);
        const t1 = Date.now();
        // The next start of a backup verb rolls an unfinished restore back.
        const next = await ok(['backups', 'prune']);
        const after = await data();
        const committing = outcome.stderr.includes('Committing');
        if (!outcome.killed) expect(outcome.code, 'the restore finished on its own').toBe(0);
        if (!outcome.killed || /\] Restored$/m.test(outcome.stderr)) {
          expect(after, 'killed after the commit: the restored data').toEqual(restored);
        } else if (!committing) {
          expect(after, 'killed before the commit: the data before the restore').toEqual(before);
        } else {
          expect([before, restored], 'killed during the commit: before or restored').toContainEqual(
            after,
          );
        }
        const kept = isDeepStrictEqual(after, restored) ? 'restored data' : 'data before';
        console.log(
          `restore killed after ${t1 - t0} ms: ${kept}, recovered in ${Date.now() - t1} ms`,
        );
        // The live stack had been touched: the rollback says so.
        if (
          outcome.stderr.includes('Swapping in the restored data') &&
          isDeepStrictEqual(after, before)
        ) {
          expect(next.stderr).toMatch(/interrupted restore/i);
        }
        await noRestoreLeftovers();
        await stackRunning();
        await catalogueIsTrue();
      });
    };
    for (const point of boundaries) await runPoint(point);
    // Random points span the restore from its first line to the commit, a bit beyond.
    const span = Math.max(1_000, (reached.get('Committing') ?? 20_000) * 1.1);
    for (const point of randomPoints('Verifying the archive', span, 2)) await runPoint(point);
  }, 300_000);
});
