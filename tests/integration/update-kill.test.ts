/**
 * SIGKILL of the CLI's `update` at 18 points (issue 18, section 4), on the rig, one installed
 * stack for all: at each step boundary (after the preflight, while stopping, during and after the
 * safety snapshot, while migrating, while recreating, in the health gates, while committing, and
 * inside the rollback of v2-badmigration and of v2-broken, whose health gate is the longest step)
 * and at seeded random delays. After each kill the next verb (`up`, `start`, `restart`, or the
 * server's `up` job) finishes the update or rolls it back and says so; then the stack is healthy on
 * one definite version, the one `update history` names, with the seeded rows, Redis keys and
 * uploads as they were (checksums through the stand-in's /state), the schema of that version, no
 * journal, no partial backup, no restore leftovers, no container beyond the stack's services and
 * no image beyond the kept ones. A point that lands on v2 goes back to v1 with `update rollback`.
 *
 * The backend versions carry this file's own tags (`docker tag` of the rig's), so a commit's
 * clean-up of the images an earlier update replaced never untags the rig's shared ones.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../server/src/contract/backup-routes.js';
import type { UpdateRecord } from '../../server/src/core/updates/update-history.js';
import { UPDATE_JOURNAL_FILE } from '../../server/src/core/updates/update-journal.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import {
  cliWithin,
  crashSeed,
  killAt,
  seededRandom,
  type KillOutcome,
  type KillPoint,
} from './support/crash.js';
import { request } from './support/http.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { serverStackJob, serverStartSettles } from './support/server-job.js';
import { backendVersionImages, rigDocker, rigEnv } from './support/rig.js';
import {
  appliedMigrations,
  containersPerService,
  migrationsFrom,
  restoreLeftovers,
  schemaDigest,
  strayContainers,
  untilHealthy,
  type StatusRow,
} from './support/stack-audit.js';
import { standInApi, type StandInApi } from './support/stand-in-api.js';

const PROJECT = 'mna-update-kill';
const rig = rigEnv();
const docker = rigDocker(rig);
const rigVersions = backendVersionImages(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-update-kill-'));
const home = join(dir, 'home');
const paths = homePaths(home);
const env = stackEnv(rig.dockerHost, PROJECT);
const H = ['--home', home];
const SEED = crashSeed('update-kill');
const random = seededRandom(SEED);
/** A kill point not reached, or a verb not finished, within this fails the test. */
const KILL_TIMEOUT_MS = 240_000;
const VERB_TIMEOUT_MS = 240_000;
const SERVICES = ['backend', 'frontend', 'migrate', 'nginx', 'postgres', 'redis'];
/** The migration v2 adds (tests/rig/README.md, "Backend versions"). */
const V2_MIGRATION = '20251020000000_add_record_tags';

/** This file's own tags of the backend versions; `v2b` is v2 under a second name. */
const REPO = 'mna-test-update-kill/backend';
const TAGS = ['v1', 'v2', 'v2-broken', 'v2-badmigration', 'v2b'] as const;
type Tag = (typeof TAGS)[number];
const image = (tag: Tag): string => `${REPO}:${tag}`;
/** What the stack answers through nginx on each tag (its release; v2b is v2). */
const answers = (tag: Tag): string => (tag === 'v2b' ? 'v2' : tag);

/** A CLI progress line of one service, as `update` prints the stack's progress. */
const serviceLine = (service: string, action: string): string => `${service.padEnd(16)} ${action}`;

let api: StandInApi;
let httpPort: number;
/** The seeded data (counts and checksums of rows, files and Redis keys) and v1's schema. */
let seeded: unknown;
let schemaV1: string;
let migrationsV1: string[];
/** v2's schema, read the first time the stack lands on v2. */
let schemaV2: string | undefined;
/** The version the stack is on (checked by the last `settledOn`). */
let current: Tag = 'v1';
/** Tags the app may remove by now (the images an earlier successful update replaced). */
const released = new Set<Tag>();

const data = (): Promise<unknown> => api.getJson('/state');

async function ok(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await cliWithin([...args, ...H], env, VERB_TIMEOUT_MS);
  if (result.code !== 0)
    throw new Error(`${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

const history = async (): Promise<UpdateRecord[]> =>
  JSON.parse((await ok(['update', 'history', '--json'])).stdout) as UpdateRecord[];

async function answeringVersion(): Promise<string | undefined> {
  const res = await request(`http://127.0.0.1:${httpPort}/api/health`);
  return (JSON.parse(res.body.toString()) as { version?: string }).version;
}

/** Every long-running service running and healthy, by `status`; its rows. */
const allHealthy = (): Promise<StatusRow[]> =>
  untilHealthy(async () => JSON.parse((await ok(['status', '--json'])).stdout) as StatusRow[]);

/**
 * The stack settled on `tag`: healthy, running that image and answering its version, the seeded
 * data and that version's schema, and nothing an interrupted update or restore leaves behind.
 */
async function settledOn(tag: Tag): Promise<void> {
  const rows = await allHealthy();
  expect(rows.find((r) => r.service === 'backend')?.image, "backend's image").toBe(image(tag));
  expect(await migrationsFrom(docker, PROJECT), 'migrations from').toBe(image(tag));
  expect(await answeringVersion()).toBe(answers(tag));
  expect(await data(), 'rows, files and Redis keys').toEqual(seeded);
  const migrations = await appliedMigrations(docker, PROJECT);
  if (tag === 'v1') {
    expect(migrations).toEqual(migrationsV1);
    expect(await schemaDigest(docker, PROJECT), 'v1 schema').toBe(schemaV1);
  } else {
    expect(migrations).toEqual([...migrationsV1, V2_MIGRATION].sort());
    schemaV2 ??= await schemaDigest(docker, PROJECT);
    expect(await schemaDigest(docker, PROJECT), 'v2 schema').toBe(schemaV2);
  }
  expect(existsSync(join(home, UPDATE_JOURNAL_FILE)), 'the update journal is gone').toBe(false);
  await noLeftovers();
  current = tag;
}

/** No partial or unfinished backup, no restore staging, no container or image beyond the stack's. */
async function noLeftovers(): Promise<void> {
  expect(readdirSync(paths.backupsDir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  const backups = JSON.parse((await ok(['backups', '--json'])).stdout) as Backup[];
  expect(backups.filter((b) => b.state === 'running').map((b) => b.id)).toEqual([]);
  expect(await restoreLeftovers(docker, PROJECT, paths.dataDir)).toEqual([]);
  expect(await containersPerService(docker, PROJECT)).toEqual(
    Object.fromEntries(SERVICES.map((s) => [s, 1])),
  );
  expect(await strayContainers(docker, PROJECT, { images: TAGS.map(image), folder: dir })).toEqual(
    [],
  );
  const tags = (await docker.listImages({ filters: { reference: [REPO] } }))
    .flatMap((i) => i.RepoTags ?? [])
    .filter((t) => t.startsWith(`${REPO}:`))
    .sort();
  expect(tags, 'the kept images, and only those').toEqual(
    TAGS.filter((t) => !released.has(t))
      .map(image)
      .sort(),
  );
}

/** What happened at one point, for its failure message: enough to replay it. */
let lastSaid = '';
let lastAt = '';

const describePoint = (what: string, p: KillPoint): string =>
  `seed ${SEED}: ${what} killed ${p.delayMs ?? 0} ms after "${p.step.trim()}"` +
  (p.occurrence && p.occurrence > 1 ? ` (x${p.occurrence})` : '');

/** How it is settled: a CLI verb, the server's `up` job (the UI's), or a server just started. */
type Settler = 'up' | 'start' | 'restart' | 'server' | 'server-start';

async function settle(how: Settler): Promise<string> {
  if (how === 'server-start') {
    const journal = join(home, UPDATE_JOURNAL_FILE);
    const said = 'An interrupted update';
    return serverStartSettles(home, env, said, () => !existsSync(journal), VERB_TIMEOUT_MS);
  }
  if (how !== 'server') return (await ok([how])).stderr;
  // The server settles it at its start, or its `up` job does as its first step.
  const job = await serverStackJob(home, env, 'up', VERB_TIMEOUT_MS);
  expect(job.outcome, job.error?.message).toBe('succeeded');
  return [...job.log, ...job.steps].join('\n');
}

interface Point extends KillPoint {
  /** The command killed: an update to this tag, or `update rollback`. */
  update: Tag | 'rollback';
  settle: Settler;
  /** Where the update must end: rolled back, committed, or either (a random point). */
  expect: 'rolled-back' | 'succeeded' | 'either';
  /** The rolled-back record's reason. */
  reason?: RegExp;
}

/**
 * One point: kill, the next verb, then the history and the stack checked; returns the outcome
 * and the version the stack is on. A failure names the seed, the point and what the CLI printed.
 */
async function atPoint(point: Point): Promise<{ outcome: KillOutcome; on: Tag }> {
  const args =
    point.update === 'rollback'
      ? ['update', 'rollback', '--yes']
      : ['update', '--to', image(point.update), '--yes'];
  const what = point.update === 'rollback' ? 'update rollback' : `update to ${point.update}`;
  const started = Date.now();
  lastSaid = '';
  lastAt = '';
  try {
    const earlier = await history();
    const outcome = await killAt([...args, ...H], env, point, KILL_TIMEOUT_MS);
    lastSaid = outcome.stderr;
    lastAt = outcome.killed ? `killed at "${outcome.lastLine.trim()}"` : `exited ${outcome.code}`;
    const journaled = existsSync(join(home, UPDATE_JOURNAL_FILE));
    const killedAt = Date.now();
    const said = await settle(point.settle);
    const records = await history();
    expect(records, 'one record more, for this update').toHaveLength(earlier.length + 1);
    const [record] = records;
    if (!record) throw new Error('no update record');
    expect(record.id).not.toBe(earlier[0]?.id);
    if (point.expect !== 'either') expect(record.result).toBe(point.expect);
    if (record.result === 'rolled-back') {
      expect(record.reason).toMatch(point.reason ?? /^interrupted \(the app stopped/);
    } else {
      expect(record.result).toBe('succeeded');
    }
    if (journaled) {
      const done = record.result === 'succeeded' ? 'its commit was finished' : 'was rolled back';
      const line = said
        .split('\n')
        .find((l) => l.startsWith(`An interrupted update (to ${record.target}) `));
      expect(line, said).toContain(done);
    } else {
      // It had finished (committed, or rolled back by itself) before the kill: nothing to settle.
      expect(said).not.toContain('An interrupted update');
    }
    const landed = (record.result === 'succeeded' ? record.to : record.from).backend;
    const tag = TAGS.find((t) => image(t) === landed);
    if (!tag) throw new Error(`the record names ${landed}, none of this file's tags`);
    if (record.result === 'rolled-back') expect(tag, 'back where it was').toBe(current);
    await settledOn(tag);
    console.log(
      `${describePoint(what, point)}: ${lastAt}; ${record.result} by \`${point.settle}\` in ${Date.now() - killedAt} ms, on ${tag} (${Date.now() - started} ms in all)`,
    );
    return { outcome, on: tag };
  } catch (error) {
    const e = error as Error;
    e.message = `${describePoint(what, point)} (${lastAt})\n${e.message}\n--- stderr of the killed run ---\n${lastSaid}`;
    throw e;
  }
}

/** Back to v1 the app's own way, when a point landed on v2. */
async function backToV1(): Promise<void> {
  if (current === 'v1') return;
  await ok(['update', 'rollback', '--yes']);
  await settledOn('v1');
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  const from: Record<Tag, string> = { ...rigVersions, v2b: rigVersions.v2 };
  for (const tag of TAGS) await docker.getImage(from[tag]).tag({ repo: REPO, tag });
  const imagesFile = join(dir, 'images-v1.json');
  writeFileSync(
    imagesFile,
    JSON.stringify({ ...rig.images, backend: image('v1'), migrate: image('v1') }),
  );
  ({ httpPort } = await initStack(rig, home, env, imagesFile));
  api = standInApi(httpPort);
  await ok(['up']);
  for (let i = 0; i < 5; i += 1) {
    const status = await api.send('/records', 'POST', JSON.stringify({ title: `kept ${i} ✓` }), {
      'content-type': 'application/json',
    });
    expect(status).toBe(201);
  }
  expect(await api.send('/files/kept.bin', 'PUT', Buffer.alloc(64 * 1024, 5))).toBe(201);
  expect(await api.send('/files/empty.bin', 'PUT', Buffer.alloc(0))).toBe(201);
  for (let i = 0; i < 3; i += 1) expect(await api.send(`/kv/kept:${i}`, 'PUT', `v${i}`)).toBe(201);
  seeded = await data();
  schemaV1 = await schemaDigest(docker, PROJECT);
  migrationsV1 = await appliedMigrations(docker, PROJECT);
  expect(migrationsV1).not.toContain(V2_MIGRATION);
  await settledOn('v1');
}, 300_000);

afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  for (const tag of TAGS) {
    await docker
      .getImage(image(tag))
      .remove()
      .catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** A kill of the update to v2 that must end rolled back. */
const toV2 = (step: string, settle: Settler, delayMs = 0): Point => ({
  step,
  delayMs,
  settle,
  update: 'v2',
  expect: 'rolled-back',
});

/** How long the whole update to v2 takes, from its first line to its commit (measured below). */
let updateSpanMs = 0;

describe('SIGKILL of `update`, settled by the next verb', () => {
  it('before the new version starts (after the preflight, stopping, the snapshot): back on v1', async () => {
    const points = [
      toV2('Stopping the app for the safety snapshot', 'up'),
      toV2(serviceLine('backend', 'stopping'), 'start', Math.round(random() * 150)),
      toV2('Safety snapshot: Writing db/medianest.dump', 'up'),
      toV2('Safety snapshot: Backup verified', 'restart'),
      toV2('Rendering the stack with the new images', 'up'),
    ];
    for (const point of points) await atPoint(point);
  }, 900_000);

  it('while the new version starts (migrating, recreating, health gates): back on v1, the database from the snapshot', async () => {
    const points = [
      toV2(serviceLine('migrate', 'recreating'), 'up', Math.round(random() * 400)),
      toV2(serviceLine('backend', 'recreating'), 'server', Math.round(random() * 300)),
      toV2(serviceLine('backend', 'waiting'), 'server-start'),
      toV2('Checking that the new version answers', 'up'),
    ];
    for (const point of points) {
      const { outcome } = await atPoint(point);
      updateSpanMs = Math.max(updateSpanMs, outcome.reachedMs);
    }
  }, 900_000);

  it('inside the rollback of a failed update (v2-badmigration; v2-broken in its long health gate): the rollback run again', async () => {
    const failedMigration = /migrate exited with code 1[\s\S]*20251105000000_add_tag_colors/;
    const bad = (step: string, delayMs = 0): Point => ({
      step,
      delayMs,
      update: 'v2-badmigration',
      settle: 'up',
      expect: 'rolled-back',
      reason: failedMigration,
    });
    await atPoint(bad('Rolling back: Swapping in the restored data'));
    // Anywhere in the rollback: the restore of the snapshot, its start and health gate.
    await atPoint(
      bad('Rolling back: restoring the safety snapshot', Math.round(random() * 10_000)),
    );
    await atPoint(bad('Rolling back: Committing'));
    // v2-broken's start never passes its health gate (about 80 s): killed well inside it.
    await atPoint({
      step: serviceLine('backend', 'waiting'),
      delayMs: 3_000 + Math.round(random() * 30_000),
      update: 'v2-broken',
      settle: 'up',
      expect: 'rolled-back',
    });
  }, 900_000);

  it('at seeded random moments of the whole update: finished or rolled back', async () => {
    const span = Math.max(3_000, updateSpanMs * 1.2);
    for (let i = 0; i < 2; i += 1) {
      await atPoint({
        step: 'Stopping the app for the safety snapshot',
        delayMs: Math.round(random() * span),
        update: 'v2',
        settle: 'up',
        expect: 'either',
      });
      await backToV1();
    }
  }, 900_000);

  it('while committing: the commit finished on v2; a killed `update rollback` undone; the images the update before replaced removed', async () => {
    const { on } = await atPoint({
      step: 'Committing',
      update: 'v2',
      settle: 'up',
      expect: 'succeeded',
    });
    expect(on).toBe('v2');
    // The manual rollback killed inside its restore of v1's database: back on v2, as it was.
    await atPoint({
      step: 'Restore: Swapping in the restored data',
      update: 'rollback',
      settle: 'up',
      expect: 'rolled-back',
    });
    // v2 -> v2b (same code, no migration) killed while removing what the last update replaced:
    // v1 goes (v2 stays for a rollback), whatever the kill interrupted.
    released.add('v1');
    const last = await atPoint({
      step: 'Removing the images the update before replaced',
      update: 'v2b',
      settle: 'restart',
      expect: 'succeeded',
    });
    expect(last.on).toBe('v2b');
  }, 900_000);
});
