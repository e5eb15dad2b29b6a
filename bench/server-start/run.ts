/**
 * Server start to ready, with an existing home (issue 4: target under 500 ms).
 *
 *   npm run -s build:node && npx tsx bench/server-start/run.ts [--runs 10]
 *
 * Times the spawn of `node dist/server/src/cli.js serve --port 0 --home <home>` to its `ready` line,
 * against a baseline measured in the same run: a bare `node -e` that starts an http server and
 * prints `ready` once it listens. The home is created (and migrated) by a first, untimed start.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
const TARGET_MS = 500;
const BASELINE = `require('node:http').createServer().listen(0, '127.0.0.1', function () { console.log('ready http://127.0.0.1:' + this.address().port); });`;

/** Spawns a command, resolves with the ms until a line starting with `ready ` appears on stdout. */
function timeToReady(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    let out = '';
    let elapsed: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (elapsed === undefined && /^ready /m.test(out)) {
        elapsed = performance.now() - started;
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      elapsed === undefined
        ? reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before ready`))
        : resolve(elapsed),
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
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run -s build:node\` first.`);
  const home = mkdtempSync(join(tmpdir(), 'mna-bench-start-'));
  try {
    const serveArgs = [CLI, 'serve', '--port', '0', '--home', home];
    await timeToReady(serveArgs); // creates and migrates the home: the runs below find it existing
    const serve: number[] = [];
    const baseline: number[] = [];
    // Interleaved, so both see the same machine load.
    for (let i = 0; i < runs; i++) {
      baseline.push(await timeToReady(['-e', BASELINE]));
      serve.push(await timeToReady(serveArgs));
    }
    const s = stats(serve);
    const b = stats(baseline);
    const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
    console.log(`server start to ready, existing home, ${runs} runs (node ${process.version})`);
    console.log(`  serve:    median ${fmt(s.median)}  p90 ${fmt(s.p90)}`);
    console.log(`  baseline: median ${fmt(b.median)}  p90 ${fmt(b.p90)}  (node -e + http listen)`);
    console.log(`  ratio:    ${(s.median / b.median).toFixed(1)}x the baseline (median)`);
    const met = s.median < TARGET_MS;
    console.log(
      `  target:   median < ${TARGET_MS} ms with an existing home: ${met ? 'met' : 'NOT met'} (p90 ${s.p90 < TARGET_MS ? 'also under' : 'over'})`,
    );
    process.exitCode = met ? 0 : 1;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
