/**
 * bench/bring-up/app-start: the restore's "Starting the app (health gate)" step alone. With the
 * stack up, stops redis, backend, frontend and nginx (what a restore stops), then times
 * `start(those)` gated on Docker's health status against the same start with `activeHealth` (our
 * own runs of each service's healthcheck), interleaved, on the same stack and engine.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/bring-up/app-start.ts [runs]
 */
import { rmSync } from 'node:fs';
import { createStackService } from '../../server/src/app/stack.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';
import { benchStack, initBenchStack, median, summary } from './bench-stack.js';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);
const bench = benchStack('start');
const { paths, env } = bench;
const APP = ['redis', 'backend', 'frontend', 'nginx'];

async function timedStart(activeHealth: boolean): Promise<number> {
  const stack = createStackService(paths, env, () => undefined);
  await stack.stop(APP);
  const start = performance.now();
  await stack.start(APP, activeHealth ? { activeHealth } : { healthGate: 'docker' });
  return performance.now() - start;
}

async function main(): Promise<void> {
  await initBenchStack(bench, 28280);
  const gated: number[] = [];
  const active: number[] = [];
  try {
    await createStackService(paths, env, () => undefined).up({ pullPolicy: 'never' });
    for (let i = 0; i < runs; i++) {
      for (const which of i % 2 === 0 ? ['docker', 'active'] : ['active', 'docker']) {
        const took = await timedStart(which === 'active');
        (which === 'active' ? active : gated).push(took);
        process.stderr.write(`run ${i + 1} ${which}: ${(took / 1000).toFixed(2)} s\n`);
      }
    }
  } finally {
    await removeComposeProject(bench.docker, bench.project);
    rmSync(bench.home, { recursive: true, force: true });
  }
  console.log(
    `start of ${APP.join(', ')} (a restore's health gate), ${runs} runs each, interleaved`,
  );
  console.log(`  gated on Docker's health status: ${summary(gated)}`);
  console.log(`  with activeHealth:               ${summary(active)}`);
  console.log(`  ratio active/Docker-gated: ${(median(active) / median(gated)).toFixed(3)}`);
}

await main();
