/**
 * bench/idle-overhead/sources: what each way of reading the resources of the 10-container stack
 * costs the machine: the reader's own CPU (in its own process) and the engine's (dockerd, its
 * containerd, the stack's shims) against the engine with no reader. The ways take turns in
 * windows of equal length, round after round, and each figure is the median of its windows: the
 * rig is shared, and other tests' bursts would otherwise land on one way only.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/idle-overhead/sources.ts [seconds] [rounds]
 *
 * `seconds` (default 30) per window, `rounds` (default 3). Ways: `streams` (a stats stream per
 * container: the server until 2026-12), `engine` (one-shot stats every 5 s), `files` (the cgroup
 * files every 5 s).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  assertSameEngine,
  cpuSeconds,
  engineCpu,
  engineProcesses,
  percentOf,
  type EngineFigures,
  type EngineProcesses,
} from './proc.js';
import { bundle, upBenchStack } from './stack.js';

const seconds = Number(process.argv[2] ?? 30);
const rounds = Number(process.argv[3] ?? 3);
if (!Number.isFinite(seconds) || seconds < 5) throw new Error('seconds: a number of at least 5');
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error('rounds: a whole number of at least 1');
const WAYS = ['none', 'streams', 'engine', 'files'] as const;
type Way = (typeof WAYS)[number];
type Window = EngineFigures & { reader: number };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function window(script: string, way: Way, project: string, engine: EngineProcesses) {
  const child =
    way === 'none'
      ? undefined
      : spawn(process.execPath, [script, way, project], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (child) {
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`${way} exited with ${code}`)));
    });
  }
  // The first readings (finding the cgroups, opening the streams) are not the steady state.
  await sleep(6000);
  const readerBefore = child ? cpuSeconds(child.pid!) : 0;
  const before = engineCpu(engine);
  const start = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const figures = percentOf(before, engineCpu(engine), elapsed);
  assertSameEngine(engine);
  const reader = child ? ((cpuSeconds(child.pid!) - readerBefore) / elapsed) * 100 : 0;
  if (child) {
    if (child.exitCode !== null) throw new Error(`${way} ended before its window did`);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return { ...figures, reader };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const stack = await upBenchStack('mnbenchsrc');
  const engine = engineProcesses(stack.dockerdPid, stack.containerIds);
  const script = bundle('reader.ts');
  const windows = new Map<Way, Window[]>(WAYS.map((w) => [w, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const way of WAYS) {
        process.stderr.write(`round ${round}/${rounds}: ${way}, ${seconds} s...\n`);
        windows.get(way)!.push(await window(script, way, stack.project, engine));
      }
    }
  } finally {
    await stack.down();
  }
  const med = (way: Way, key: keyof Window): number => median(windows.get(way)!.map((w) => w[key]));
  console.log(
    `stats sources, ${stack.containerIds.length} containers, ${rounds} rounds of ${seconds} s windows (medians); no reader: dockerd ${med('none', 'dockerd').toFixed(2)} %, containerd ${med('none', 'containerd').toFixed(2)} %, shims ${med('none', 'shims').toFixed(2)} %`,
  );
  for (const way of WAYS.slice(1)) {
    const extra = (key: keyof EngineFigures): number => med(way, key) - med('none', key);
    console.log(
      `  ${way.padEnd(8)} reader ${med(way, 'reader').toFixed(2)} %; the engine's extra ${extra('total').toFixed(2)} % (dockerd ${extra('dockerd').toFixed(2)}, containerd ${extra('containerd').toFixed(2)}, shims ${extra('shims').toFixed(2)}); together ${(med(way, 'reader') + extra('total')).toFixed(2)} % of one core`,
    );
  }
  console.log(
    '  (the rig is shared: other tests on the same engine show up in dockerd and containerd)',
  );
}

await main();
