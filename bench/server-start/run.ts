/**
 * Server start to ready, with an existing home (issue 22: median under 300 ms, p90 under 400 ms).
 *
 *   npm run -s build && npx tsx bench/server-start/run.ts [--runs 10]
 *
 * Times the spawn of `node <cli> serve --port 0 --home <home>` to its `ready` line for the shipped
 * bundle (dist/server/medianest-appliance.mjs, what bin/medianest-appliance.js and
 * scripts/start.sh run; the target is judged on it) and for the unbundled tsc output
 * (dist/server/src/cli.js, the development fallback), against a baseline measured in the same
 * run: a bare `node -e` that starts an http server and prints `ready` once it listens. The home
 * is created (and migrated) by a first, untimed start. Prints the load average, since on a busy
 * machine only the ratios mean something.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
const BUNDLE = join(ROOT, 'dist/server/medianest-appliance.mjs');
const TARGET_MS = 300;
const TARGET_P90_MS = 400;
const BASELINE = `require('node:http').createServer().listen(0, '127.0.0.1', function () { console.log('ready http://127.0.0.1:' + this.address().port); });`;

/**
 * CPU time (user + system, all threads) a process has used so far, from /proc on Linux; undefined
 * elsewhere. Less sensitive than wall time to what else the machine runs (10 ms resolution).
 */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

interface Sample {
  ms: number;
  cpuMs: number | undefined;
}

/** Spawns a command; resolves with the time (and CPU time) until a line `ready ...` on stdout. */
function timeToReady(args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    let out = '';
    let sample: Sample | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (sample === undefined && /^ready /m.test(out)) {
        sample = { ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) };
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      sample === undefined
        ? reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before ready`))
        : resolve(sample),
    );
  });
}

function stats(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { median: at(0.5), p90: at(0.9) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
  const runs = Number(values.runs);
  for (const file of [CLI, BUNDLE])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run -s build\` first.`);
  const home = mkdtempSync(join(tmpdir(), 'mna-bench-start-'));
  try {
    const argsOf = (cli: string): string[] => [cli, 'serve', '--port', '0', '--home', home];
    await timeToReady(argsOf(BUNDLE)); // creates and migrates the home: the runs below find it existing
    const load = loadavg();
    const kinds = {
      'serve, shipped bundle': argsOf(BUNDLE),
      'serve, unbundled': argsOf(CLI),
      baseline: ['-e', BASELINE],
    };
    const samples = new Map<string, Sample[]>(Object.keys(kinds).map((k) => [k, []]));
    // Interleaved, so all see the same machine load.
    for (let i = 0; i < runs; i++)
      for (const [kind, args] of Object.entries(kinds))
        samples.get(kind)?.push(await timeToReady(args));
    const of = (kind: string) => samples.get(kind) ?? [];
    const base = stats(of('baseline').map((x) => x.ms));
    const baseCpu = stats(of('baseline').map((x) => x.cpuMs ?? NaN));
    const fmt = (ms: number): string => `${ms.toFixed(0)} ms`.padStart(7);
    const loads = [...load, ...loadavg()].map((l) => l.toFixed(2));
    console.log(`server start to ready, existing home, ${runs} runs (node ${process.version})`);
    console.log(
      `  load average (1, 5, 15 min): ${loads.slice(0, 3).join(' ')} before, ${loads.slice(3).join(' ')} after (${availableParallelism()} cores)`,
    );
    for (const kind of Object.keys(kinds)) {
      const wall = stats(of(kind).map((x) => x.ms));
      const cpu = stats(of(kind).map((x) => x.cpuMs ?? NaN));
      const ratio =
        kind === 'baseline'
          ? '(node -e + http listen)'
          : `${(wall.median / base.median).toFixed(1)}x the baseline`;
      const cpuText = Number.isNaN(cpu.median)
        ? ''
        : `   CPU median ${fmt(cpu.median)} (${kind === 'baseline' ? 'baseline' : `${(cpu.median / baseCpu.median).toFixed(1)}x`})`;
      console.log(
        `  ${kind.padEnd(22)} median ${fmt(wall.median)}  p90 ${fmt(wall.p90)}  ${ratio}${cpuText}`,
      );
    }
    const shipped = stats(of('serve, shipped bundle').map((x) => x.ms));
    const met = shipped.median < TARGET_MS && shipped.p90 < TARGET_P90_MS;
    console.log(
      `  target: shipped bundle, median < ${TARGET_MS} ms and p90 < ${TARGET_P90_MS} ms with an existing home: ${met ? 'met' : 'NOT met'}`,
    );
    process.exitCode = met ? 0 : 1;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
