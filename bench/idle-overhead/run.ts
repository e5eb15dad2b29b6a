/**
 * bench/idle-overhead: the full stack (prod with the monitoring and devtools profiles: 10
 * long-running services and the migration job) running, the server in its own process with one
 * SSE client attached, for 5 minutes: the server's CPU (% of one core) and RSS from /proc, against
 * targets (below 1 % of a core, below 150 MB). And dockerd's extra CPU caused by our event, stats
 * and exec streams: dockerd's CPU while the server watches against the same length of time
 * without it (half measured before the server starts, half after it stops), same run.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/idle-overhead/run.ts [seconds]
 *
 * `seconds` (default 300) is the length of the measured window with the server; a trial run may
 * pass e.g. 30. The server runs as one esbuild bundle of bench/idle-overhead/server.ts (packages
 * left in node_modules), as plain Node runs a built server: tsx's loader would add its own
 * memory to the RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { createApiClient } from '../../server/src/contract/client.js';
import { recordEvents } from '../../tests/integration/support/events.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';

const seconds = Number(process.argv[2] ?? 300);
if (!Number.isFinite(seconds) || seconds < 5) throw new Error('seconds: a number of at least 5');
const dockerHost = process.env.DOCKER_HOST;
const imagesFile = process.env.MEDIANEST_IMAGES;
if (!dockerHost?.startsWith('unix://') || !imagesFile)
  throw new Error('Set DOCKER_HOST (unix://) and MEDIANEST_IMAGES from tests/rig/up.sh');
const dockerdPid = Number(readFileSync('/var/tmp/medianest-rig/dockerd.pid', 'utf8').trim());
const PROJECT = `mnbenchidle${Date.now().toString(36)}`;
const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
const home = mkdtempSync(join(tmpdir(), 'mna-bench-idle-'));
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const io = {
  stdout: () => undefined,
  stderr: (text: string) => void process.stderr.write(text),
  env,
  untilShutdown: () => Promise.resolve(),
};
const TICKS_PER_SECOND = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in seconds of CPU. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
}

/** dockerd's CPU in % of one core over `ms`. */
async function dockerdPercent(ms: number): Promise<number> {
  const before = cpuSeconds(dockerdPid);
  const start = performance.now();
  await sleep(ms);
  return ((cpuSeconds(dockerdPid) - before) / ((performance.now() - start) / 1000)) * 100;
}

async function main(): Promise<void> {
  await removeComposeProject(docker, PROJECT);
  const port = 55_000 + Math.floor(Math.random() * 3_000);
  const init = await runCli(
    [
      'init',
      '--home',
      home,
      '--images',
      imagesFile!,
      '--profile',
      'monitoring',
      '--profile',
      'devtools',
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ],
    io,
  );
  if (init !== 0) throw new Error('init failed');
  if ((await runCli(['up', '--home', home], io)) !== 0) throw new Error('up failed');
  const running = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${PROJECT}`], status: ['running'] },
  });
  process.stderr.write(`stack up: ${running.length} containers running\n`);
  const half = (seconds * 1000) / 2;

  process.stderr.write(`dockerd without the server, ${seconds / 2} s...\n`);
  const without1 = await dockerdPercent(half);

  // Inside the checkout, so the bundle's imports of packages resolve to its node_modules.
  const bundle = join(import.meta.dirname, '../../node_modules/.cache/idle-overhead/server.mjs');
  const built = spawnSync(
    'npx',
    [
      'esbuild',
      join(import.meta.dirname, 'server.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--packages=external',
      `--outfile=${bundle}`,
      '--log-level=warning',
    ],
    { stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error('bundling the server failed');
  const child = spawn(process.execPath, [bundle, home], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  const recorder = await recordEvents(url, token);
  const client = createApiClient({ baseUrl: url, token });
  // Warm-up: the first resync, streams opening, the first deep checks.
  for (let i = 0; i < 600 && (await client.stackHealth({})).status !== 'healthy'; i++)
    await sleep(100);
  await sleep(10_000);
  const status = await client.stackHealth({});
  process.stderr.write(
    `server attached (${status.status}, ${status.services.length} services); measuring ${seconds} s...\n`,
  );

  const serverBefore = cpuSeconds(child.pid!);
  const dockerdBefore = cpuSeconds(dockerdPid);
  const start = performance.now();
  const rss: number[] = [];
  while (performance.now() - start < seconds * 1000) {
    rss.push(rssBytes(child.pid!));
    await sleep(1000);
  }
  const elapsed = (performance.now() - start) / 1000;
  const serverPercent = ((cpuSeconds(child.pid!) - serverBefore) / elapsed) * 100;
  const withServer = ((cpuSeconds(dockerdPid) - dockerdBefore) / elapsed) * 100;
  const sampled = recorder.events.filter((e) => e.type === 'resources.sampled').length;
  const streams = (await client.resourcesLatest({})).services.length;
  recorder.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  process.stderr.write(`dockerd without the server again, ${seconds / 2} s...\n`);
  const without2 = await dockerdPercent(half);
  await runCli(['down', '--home', home], io);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });

  const without = (without1 + without2) / 2;
  const rssMax = Math.max(...rss);
  const rssAvg = rss.reduce((a, b) => a + b, 0) / rss.length;
  const MB = 1e6;
  console.log(
    `idle overhead, ${running.length} containers running, one SSE client, ${seconds} s measured`,
  );
  console.log(
    `  server CPU: ${serverPercent.toFixed(2)} % of one core (target < 1 %: ${serverPercent < 1 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  server RSS: max ${(rssMax / MB).toFixed(0)} MB, mean ${(rssAvg / MB).toFixed(0)} MB (target < 150 MB: ${rssMax < 150 * MB ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  dockerd CPU: ${withServer.toFixed(2)} % with the server, ${without.toFixed(2)} % without (${without1.toFixed(2)} before, ${without2.toFixed(2)} after): ${(withServer - without).toFixed(2)} points of a core from our streams (${streams} stats streams, ${sampled} resources.sampled events)`,
  );
  console.log(
    '  (the rig is shared: other tests running on the same engine show up in both dockerd figures)',
  );
}

await main();
