/**
 * bench/update (issue 18, section 5): how long MediaNest is unavailable through nginx while its
 * backend goes from v1 to v2, ours against plain docker-compose, interleaved, RUNS runs each.
 *
 * Each run installs a fresh stack with the appliance (`init` + `up`, the backend at v1, every image
 * from a local registry: bench-images.ts), seeds records, uploads and keys through the app, then a
 * client asks `GET /api/health` through nginx's published port every 100 ms (each request on its
 * own connection, 2 s to answer) while the stack is updated:
 *   ours              `medianest-appliance update backend --to v2 --yes` (preflight with the pull,
 *                     app stopped, verified safety snapshot, migrations, recreate, health gate,
 *                     answer check, commit), in its own process;
 *   compose           the stack handed over to docker-compose 1.29 (stacks.ts), then the user's
 *                     edit of the backend's image in compose.yaml, then
 *                     `docker-compose pull && docker-compose up -d`. Its migrate job reads the
 *                     migrations the appliance prepared at install (v1's): plain compose never
 *                     applies v2's, and v2 refuses a v1 schema;
 *   compose-migrated  the same, with v2's migrations put where the file's migrate job reads them
 *                     between the pull and `up -d`: what a compose file whose migrate job runs the
 *                     new image gets, the best plain compose can do.
 * Downtime: from the first failed or non-2xx answer to the first 2xx answer saying v2; failed time:
 * every failed answer until the next request. The snapshot's own time comes from the update's
 * progress lines (first "Safety snapshot:" line to the next step). Target: our downtime at most
 * compose's plus the snapshot's.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/update/run.ts [RUNS=5] [KINDS=ours,compose,compose-migrated]
 *
 * BENCH_UPDATE_SAMPLES=FILE also writes every run with the client's samples (when each request
 * went, its status and version) and our progress lines, as JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standInApi } from '../../tests/integration/support/stand-in-api.js';
import { rigDocker, rigEnv } from '../../tests/integration/support/rig.js';
import { prepareImages, type BenchImages } from './bench-images.js';
import { outage, startProbe, type Outage, type Sample } from './probe.js';
import { printSummary, type RunResult } from './report.js';
import {
  compose,
  handOverToCompose,
  installStack,
  lastLog,
  newStack,
  prepareNewMigrations,
  removeStack,
  setBackendImage,
  updateWithAppliance,
  waitHealthy,
  type RunStack,
  type Said,
} from './stacks.js';

const KINDS = ['ours', 'compose', 'compose-migrated'] as const;
type Kind = (typeof KINDS)[number];
const runs = Number(process.argv[2] ?? 5);
const kinds = (process.argv[3] ?? KINDS.join(',')).split(',') as Kind[];
if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a whole number >= 1`);
for (const kind of kinds)
  if (!KINDS.includes(kind)) throw new Error(`KINDS: "${kind}" is none of ${KINDS.join(', ')}`);

/** How long the client keeps asking for v2 after the update's command returned. */
const OBSERVE_MS = 120_000;
/** Asked on after the first v2 answer: a service recreated late would show a second outage. */
const SETTLE_MS = 3_000;
/** Seeded through the app before each update: what the safety snapshot has to carry. */
const SEED = { records: 200, files: 32, fileBytes: 512 * 1024, keys: 50 };

const rig = rigEnv();
const docker = rigDocker(rig);
const scratch = mkdtempSync(join(tmpdir(), 'mna-bench-update-images-'));
const cleanups: Array<() => Promise<void>> = [];

async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up...\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function seed(stack: RunStack): Promise<unknown> {
  const api = standInApi(stack.httpPort);
  const ok = (what: string, status: number): void => {
    if (status !== 201) throw new Error(`seeding ${what} answered ${status}`);
  };
  for (let i = 0; i < SEED.records; i += 1) {
    const body = JSON.stringify({ title: `record ${i}`, body: { text: 'x'.repeat(512) } });
    ok(
      'a record',
      await api.send('/records', 'POST', body, { 'content-type': 'application/json' }),
    );
  }
  for (let i = 0; i < SEED.files; i += 1)
    ok('a file', await api.send(`/files/seed-${i}.bin`, 'PUT', Buffer.alloc(SEED.fileBytes, i)));
  for (let i = 0; i < SEED.keys; i += 1)
    ok('a key', await api.send(`/kv/key-${i}`, 'PUT', `v${i}`));
  return api.getJson('/state');
}

const healthUrl = (stack: RunStack): string => `http://127.0.0.1:${stack.httpPort}/api/health`;

/** The client's view of one update: asks from a second before `update` until v2 has settled. */
async function measure(
  stack: RunStack,
  update: () => Promise<{ ok: boolean; note?: string }>,
): Promise<{
  outage: Outage;
  samples: readonly Sample[];
  commandMs: number;
  ok: boolean;
  note?: string;
}> {
  const probe = startProbe(healthUrl(stack));
  try {
    if (!(await probe.seen('v1', performance.now() + 30_000)))
      throw new Error('v1 does not answer through nginx before the update');
    await new Promise((r) => setTimeout(r, 1000));
    const started = performance.now();
    const result = await update();
    const commandMs = performance.now() - started;
    if (await probe.seen('v2', performance.now() + OBSERVE_MS))
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    await probe.stop();
    return {
      outage: outage(probe.samples, 'v1', 'v2'),
      samples: probe.samples,
      commandMs,
      ...result,
    };
  } finally {
    await probe.stop();
  }
}

/**
 * A fresh stack for one run, removed afterwards whatever happens (or at a signal). Other suites
 * on the engine pick random ports too: a port taken between our probe and `up` means a new stack
 * on other ports.
 */
async function withStack<T>(
  name: string,
  images: BenchImages,
  work: (stack: RunStack) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const stack = await newStack(rig.dockerHost, name);
    const remove = (): Promise<void> => removeStack(docker, stack);
    cleanups.push(remove);
    try {
      try {
        await installStack(stack, images.imagesFile);
      } catch (error) {
        if (attempt < 3 && /already in use/.test(String(error))) continue;
        throw error;
      }
      return await work(stack);
    } finally {
      cleanups.splice(cleanups.indexOf(remove), 1);
      await remove();
    }
  }
}

function ours(run: number, images: BenchImages): Promise<RunResult> {
  // A bare tag, as a user types it: it replaces the tag of the configured image.
  const v2Tag = images.backend.v2.slice(images.backend.v2.lastIndexOf(':') + 1);
  return withStack(`o${run}`, images, async (stack) => {
    const before = await seed(stack);
    let progress: Said['lines'] = [];
    const m = await measure(stack, async () => {
      const said = await updateWithAppliance(stack, v2Tag);
      progress = said.lines;
      const ok = said.code === 0;
      return ok ? { ok } : { ok, note: said.lines.map((l) => l.text).join('\n') };
    });
    const intact = m.outage.downtimeMs !== undefined ? await sameState(stack, before) : undefined;
    return { kind: 'ours', run, ...m, intact, progress };
  });
}

function viaCompose(run: number, kind: Kind, images: BenchImages): Promise<RunResult> {
  const v2 = images.backend.v2;
  return withStack(`c${run}`, images, async (stack) => {
    await handOverToCompose(docker, stack);
    await waitHealthy(docker, stack.project);
    const before = await seed(stack);
    setBackendImage(stack, v2);
    let pullMs = 0;
    let progress: Said['lines'] = [];
    const m = await measure(stack, async () => {
      const started = performance.now();
      const pull = await compose(stack, ['pull']);
      pullMs = performance.now() - started;
      // `&&`: a failed pull stops there, as in the user's shell.
      if (pull.code !== 0)
        return { ok: false, note: `pull: ${pull.lines.map((l) => l.text).join('\n')}` };
      if (kind === 'compose-migrated') await prepareNewMigrations(stack, v2);
      const up = await compose(stack, ['up', '-d']);
      progress = [...pull.lines, ...up.lines];
      const errors = up.lines.filter((l) => /error/i.test(l.text)).map((l) => l.text.trim());
      return up.code === 0 ? { ok: true } : { ok: false, note: `up -d: ${errors.join('; ')}` };
    });
    const intact = m.outage.downtimeMs !== undefined ? await sameState(stack, before) : undefined;
    const backendSaid =
      m.outage.downtimeMs === undefined
        ? await lastLog(docker, stack.project, 'backend')
        : undefined;
    return {
      ...{ kind, run, ...m, pullMs, intact, progress },
      ...(backendSaid ? { backendSaid } : {}),
    };
  });
}

async function sameState(stack: RunStack, before: unknown): Promise<boolean> {
  const after = await standInApi(stack.httpPort).getJson('/state');
  return JSON.stringify(after) === JSON.stringify(before);
}

async function main(): Promise<void> {
  process.stderr.write('building and pushing the bench images to a local registry...\n');
  const images = await prepareImages(docker, rig, scratch);
  cleanups.push(() => images.remove());
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run += 1) {
    // Interleaved, each kind first in turn.
    const order = kinds.map((_, i) => kinds[(i + run - 1) % kinds.length]!);
    for (const kind of order) {
      await images.forgetV2();
      const result =
        kind === 'ours' ? await ours(run, images) : await viaCompose(run, kind, images);
      results.push(result);
      process.stderr.write(`run ${run} ${kind}: ${describeOutage(result.outage)}\n`);
    }
  }
  printSummary(results, runs);
  const keep = process.env.BENCH_UPDATE_SAMPLES;
  if (keep) writeFileSync(keep, JSON.stringify(results, null, 1));
}

function describeOutage(o: Outage): string {
  const down =
    o.downtimeMs === undefined ? 'v2 never answered' : `${(o.downtimeMs / 1000).toFixed(1)} s`;
  return `downtime ${down}, failed ${(o.failedMs / 1000).toFixed(1)} s`;
}

try {
  await main();
} finally {
  await cleanUp();
}
