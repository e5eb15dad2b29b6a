/**
 * bench/bring-up: time from `up` to every service healthy, images already local, ours against
 * Debian's `docker-compose up -d` followed by waiting for every service to be healthy, on the same
 * rendered project, images and engine, interleaved. Target: ours at most 0.9x of theirs.
 *
 * Ours is the default `up` (what the CLI and the API run): what depends on a service starts once
 * that service's own healthcheck, run by us, passes, and `up` returns only when Docker itself
 * reports every service healthy. So both sides end on the same thing, Docker's own "healthy"; this
 * checks it right when `up` returns. With BENCH_DOCKER_GATED=1 it also times `up` gated on Docker's
 * status alone (each level of the dependency chain waits one healthcheck interval).
 *
 *   bash tests/rig/up.sh            # prints DOCKER_HOST=... and IMAGES=...
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/bring-up/run.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createStackService } from '../../server/src/app/stack.js';
import { benchStack, initBenchStack, median, summary } from './bench-stack.js';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);
const bench = benchStack('up');
const { docker, paths, env, project } = bench;
const PROJECT = `com.docker.compose.project=${project}`;

async function removeProject(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [PROJECT] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const n of await docker.listNetworks({ filters: { label: [PROJECT] } }))
    await docker.getNetwork(n.Id).remove();
}

/** Every long-running service healthy and every job exited 0, per Docker's own status. */
async function allReady(services: number): Promise<boolean> {
  const list = await docker.listContainers({ all: true, filters: { label: [PROJECT] } });
  if (list.some((c) => /^Exited \([1-9]/.test(c.Status))) throw new Error('a service failed');
  const done = list.filter((c) => c.Status.includes('(healthy)') || /^Exited \(0\)/.test(c.Status));
  return list.length === services && done.length === services;
}

/** Waits for allReady, checked as often as is reasonable. */
async function waitAllReady(services: number): Promise<void> {
  while (!(await allReady(services))) await new Promise((r) => setTimeout(r, 100));
}

async function ours(services: number, healthGate?: 'docker'): Promise<number> {
  const stack = createStackService(paths, env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never', ...(healthGate ? { healthGate } : {}) });
  const took = performance.now() - start;
  if (!(await allReady(services)))
    throw new Error("up returned before Docker's own status said healthy for every service");
  return took;
}

async function theirs(services: number): Promise<number> {
  const start = performance.now();
  const result = spawnSync('docker-compose', ['-p', project, '-f', paths.composeFile, 'up', '-d'], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: bench.dockerHost },
  });
  if (result.status !== 0) throw new Error(`docker-compose up failed: ${result.stderr}`);
  await waitAllReady(services);
  return performance.now() - start;
}

async function noOpUp(): Promise<number> {
  const stack = createStackService(paths, env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never' });
  return performance.now() - start;
}

async function main(): Promise<void> {
  await initBenchStack(bench, 28180);
  const services = Object.keys(
    await createStackService(paths, env, () => undefined).status(),
  ).length;
  const mine: number[] = [];
  const dockerGated: number[] = [];
  const compose: number[] = [];
  const noop: number[] = [];
  const withDockerGated = process.env.BENCH_DOCKER_GATED === '1';
  const orders = withDockerGated
    ? [
        ['ours', 'docker', 'theirs'],
        ['theirs', 'ours', 'docker'],
        ['docker', 'theirs', 'ours'],
      ]
    : [
        ['ours', 'theirs'],
        ['theirs', 'ours'],
      ];
  try {
    for (let i = 0; i < runs; i++) {
      for (const which of orders[i % orders.length]!) {
        await removeProject();
        let took: number;
        if (which === 'ours') {
          took = await ours(services);
          mine.push(took);
          noop.push(await noOpUp());
        } else if (which === 'docker') {
          took = await ours(services, 'docker');
          dockerGated.push(took);
        } else {
          took = await theirs(services);
          compose.push(took);
        }
        process.stderr.write(`run ${i + 1} ${which}: ${(took / 1000).toFixed(2)} s\n`);
      }
    }
  } finally {
    await removeProject();
    rmSync(bench.home, { recursive: true, force: true });
  }
  const ratio = median(mine) / median(compose);
  console.log(
    `bring-up, ${runs} runs each, interleaved, ${services} services (prod, stand-in images)`,
  );
  console.log(
    `  ours (up: own checks gate dependents, returns at Docker's healthy): ${summary(mine)}`,
  );
  if (withDockerGated)
    console.log(`  ours, gated on Docker's status alone:  ${summary(dockerGated)}`);
  console.log(`  docker-compose up -d + wait healthy:    ${summary(compose)}`);
  console.log(
    `  ratio ours/theirs: ${ratio.toFixed(3)} (target <= 0.9: ${ratio <= 0.9 ? 'met' : 'NOT met'})`,
  );
  if (withDockerGated)
    console.log(
      `  ratio Docker-gated/theirs: ${(median(dockerGated) / median(compose)).toFixed(3)}`,
    );
  console.log(
    `  no-op re-up: median ${median(noop).toFixed(0)} ms (target < 1000 ms: ${median(noop) < 1000 ? 'met' : 'NOT met'})`,
  );
}

await main();
