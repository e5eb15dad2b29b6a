/**
 * bench/bring-up: time from `up` to every service healthy, images already local, ours against
 * Debian's `docker-compose up -d` followed by waiting for every service to be healthy, on the same
 * rendered project, images and engine, interleaved. Target: ours at most 0.9x of theirs.
 *
 * Ours is measured twice: gated on Docker's health status (what `up` does), and with
 * `activeHealth` (each service's own healthcheck run by us every 500 ms once it runs; what a
 * restore's start does). For the latter it also prints when Docker itself first said healthy for
 * every service, which comes one healthcheck interval after each start.
 *
 *   bash tests/rig/up.sh            # prints DOCKER_HOST=... and IMAGES=...
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/bring-up/run.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createStackService } from '../../server/src/wiring.js';
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

/** Every long-running service healthy and every job exited 0, checked as often as is reasonable. */
async function waitAllReady(services: number): Promise<void> {
  for (;;) {
    const list = await docker.listContainers({ all: true, filters: { label: [PROJECT] } });
    const done = list.filter(
      (c) => c.Status.includes('(healthy)') || /^Exited \(0\)/.test(c.Status),
    );
    if (list.length === services && done.length === services) return;
    if (list.some((c) => /^Exited \([1-9]/.test(c.Status))) throw new Error('a service failed');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ours(): Promise<number> {
  const stack = createStackService(paths, env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never' });
  return performance.now() - start;
}

/** Returned, and Docker's own "healthy" for every service, both from the start of `up`. */
async function oursActive(services: number): Promise<{ returned: number; docker: number }> {
  const stack = createStackService(paths, env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never', activeHealth: true });
  const returned = performance.now() - start;
  await waitAllReady(services);
  return { returned, docker: performance.now() - start };
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
  const active: number[] = [];
  const activeDocker: number[] = [];
  const compose: number[] = [];
  const noop: number[] = [];
  const orders = [
    ['ours', 'active', 'theirs'],
    ['theirs', 'ours', 'active'],
    ['active', 'theirs', 'ours'],
  ];
  try {
    for (let i = 0; i < runs; i++) {
      for (const which of orders[i % orders.length]!) {
        await removeProject();
        let took: number;
        if (which === 'ours') {
          took = await ours();
          mine.push(took);
          noop.push(await noOpUp());
        } else if (which === 'active') {
          const { returned, docker: healthy } = await oursActive(services);
          took = returned;
          active.push(returned);
          activeDocker.push(healthy);
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
  const activeRatio = median(active) / median(compose);
  console.log(
    `bring-up, ${runs} runs each, interleaved, ${services} services (prod, stand-in images)`,
  );
  console.log(`  ours (up, health-gated, event-driven):  ${summary(mine)}`);
  console.log(`  ours, activeHealth (own checks):        ${summary(active)}`);
  console.log(`    Docker's own status all healthy at:   ${summary(activeDocker)}`);
  console.log(`  docker-compose up -d + wait healthy:    ${summary(compose)}`);
  console.log(
    `  ratio ours/theirs: ${ratio.toFixed(3)} (target <= 0.9: ${ratio <= 0.9 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  ratio ours with activeHealth/theirs: ${activeRatio.toFixed(3)} (target <= 0.9: ${activeRatio <= 0.9 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  no-op re-up: median ${median(noop).toFixed(0)} ms (target < 1000 ms: ${median(noop) < 1000 ? 'met' : 'NOT met'})`,
  );
}

await main();
