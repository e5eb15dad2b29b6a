/**
 * Server start to ready, with an existing home (issue 22: median under 300 ms, p90 under 400 ms).
 *
 *   npm run -s build:node && npx tsx bench/server-start/run.ts [--runs 10] [--bundle]
 *
 * `--bundle` also times the same CLI bundled into one file by esbuild (dist/bench-bundle/cli.mjs,
 * better-sqlite3 left outside): what shipping the server as one bundle would give.
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
const TARGET_MS = 300;
const TARGET_P90_MS = 400;
const BUNDLE = join(ROOT, 'dist/bench-bundle/cli.mjs');

/** One file with every module of the CLI but the native ones (loaded from node_modules). */
async function bundleCli(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [CLI],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'cpu-features', 'ssh2'],
    // CommonJS dependencies bundled into ESM still call require for node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
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
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      bundle: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run -s build:node\` first.`);
  const home = mkdtempSync(join(tmpdir(), 'mna-bench-start-'));
  try {
    const serveArgs = [CLI, 'serve', '--port', '0', '--home', home];
    await timeToReady(serveArgs); // creates and migrates the home: the runs below find it existing
    if (values.bundle) await bundleCli();
    const bundleArgs = [BUNDLE, 'serve', '--port', '0', '--home', home];
    const serve: number[] = [];
    const bundled: number[] = [];
    const baseline: number[] = [];
    // Interleaved, so all see the same machine load.
    for (let i = 0; i < runs; i++) {
      baseline.push(await timeToReady(['-e', BASELINE]));
      serve.push(await timeToReady(serveArgs));
      if (values.bundle) bundled.push(await timeToReady(bundleArgs));
    }
    const s = stats(serve);
    const b = stats(baseline);
    const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
    console.log(`server start to ready, existing home, ${runs} runs (node ${process.version})`);
    console.log(`  serve:    median ${fmt(s.median)}  p90 ${fmt(s.p90)}`);
    if (values.bundle) {
      const u = stats(bundled);
      console.log(`  bundled:  median ${fmt(u.median)}  p90 ${fmt(u.p90)}  (one esbuild file)`);
    }
    console.log(`  baseline: median ${fmt(b.median)}  p90 ${fmt(b.p90)}  (node -e + http listen)`);
    console.log(`  ratio:    ${(s.median / b.median).toFixed(1)}x the baseline (median)`);
    const met = s.median < TARGET_MS && s.p90 < TARGET_P90_MS;
    console.log(
      `  target:   median < ${TARGET_MS} ms and p90 < ${TARGET_P90_MS} ms with an existing home: ${met ? 'met' : 'NOT met'}`,
    );
    process.exitCode = met ? 0 : 1;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
