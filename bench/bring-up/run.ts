/**
 * bench/bring-up: time from `up` to every service healthy, images already local, ours against
 * Debian's `docker-compose up -d` followed by waiting for every service to be healthy, on the same
 * rendered project, images and engine, interleaved. Target: ours at most 0.9x of theirs.
 *
 *   bash tests/rig/up.sh            # prints DOCKER_HOST=... and IMAGES=...
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/bring-up/run.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createStackService } from '../../server/src/wiring.js';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);
const dockerHost = process.env.DOCKER_HOST;
const imagesFile = process.env.MEDIANEST_IMAGES;
if (!dockerHost || !imagesFile)
  throw new Error('Set DOCKER_HOST and MEDIANEST_IMAGES from tests/rig/up.sh');
const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
const home = mkdtempSync(join(tmpdir(), 'mna-bench-'));
const paths = homePaths(home);
const PROJECT = 'com.docker.compose.project=medianest';

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
  const stack = createStackService(paths, process.env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never' });
  return performance.now() - start;
}

async function theirs(services: number): Promise<number> {
  const start = performance.now();
  const result = spawnSync(
    'docker-compose',
    ['-p', 'medianest', '-f', paths.composeFile, 'up', '-d'],
    {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: dockerHost },
    },
  );
  if (result.status !== 0) throw new Error(`docker-compose up failed: ${result.stderr}`);
  await waitAllReady(services);
  return performance.now() - start;
}

async function noOpUp(): Promise<number> {
  const stack = createStackService(paths, process.env, () => undefined);
  const start = performance.now();
  await stack.up({ pullPolicy: 'never' });
  return performance.now() - start;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function main(): Promise<void> {
  const io = {
    stdout: () => undefined,
    stderr: (t: string) => process.stderr.write(`${t}\n`),
    env: process.env,
    untilShutdown: () => Promise.resolve(),
  };
  const code = await runCli(
    [
      'init',
      '--home',
      home,
      '--images',
      imagesFile!,
      '--http-port',
      '28180',
      '--https-port',
      '28443',
    ],
    io,
  );
  if (code !== 0) throw new Error('init failed');
  const services = Object.keys(
    await createStackService(paths, process.env, () => undefined).status(),
  ).length;
  const mine: number[] = [];
  const compose: number[] = [];
  const noop: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const which of i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours']) {
        await removeProject();
        if (which === 'ours') {
          mine.push(await ours());
          noop.push(await noOpUp());
        } else {
          compose.push(await theirs(services));
        }
        process.stderr.write(
          `run ${i + 1} ${which}: ${((which === 'ours' ? mine : compose).at(-1)! / 1000).toFixed(2)} s\n`,
        );
      }
    }
  } finally {
    await removeProject();
    rmSync(home, { recursive: true, force: true });
  }
  const ratio = median(mine) / median(compose);
  console.log(
    `bring-up, ${runs} runs each, interleaved, ${services} services (prod, stand-in images)`,
  );
  console.log(
    `  ours (up, health-gated, event-driven):  median ${(median(mine) / 1000).toFixed(2)} s  [${mine.map((m) => (m / 1000).toFixed(1)).join(', ')}]`,
  );
  console.log(
    `  docker-compose up -d + wait healthy:    median ${(median(compose) / 1000).toFixed(2)} s  [${compose.map((m) => (m / 1000).toFixed(1)).join(', ')}]`,
  );
  console.log(
    `  ratio ours/theirs: ${ratio.toFixed(3)} (target <= 0.9: ${ratio <= 0.9 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  no-op re-up: median ${median(noop).toFixed(0)} ms (target < 1000 ms: ${median(noop) < 1000 ? 'met' : 'NOT met'})`,
  );
}

await main();
