/**
 * bench/idle-overhead: the full stack (prod with the monitoring and devtools profiles: 10
 * long-running services and the migration job) running, the server in its own process with one
 * SSE client attached, for 3 minutes: the server's CPU (% of one core) and RSS from /proc, against
 * targets (below 1 % of a core, below 150 MB). And the engine's extra CPU caused by our event
 * stream, stats reads and deep-check execs: the engine's CPU while the server watches against the
 * same length of time without it (half measured before the server starts, half after it stops),
 * same run; for dockerd alone and for the whole engine (dockerd, its containerd and the stack's
 * shims, which every stats request also makes work). Target: the server plus the engine's extra
 * below 1 % of a core.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/idle-overhead/run.ts [seconds]
 *
 * `seconds` (default 180) is the length of the measured window with the server; a trial run may
 * pass e.g. 30. bench/idle-overhead/sources.ts compares the ways of reading the stats. The server runs as one esbuild bundle of bench/idle-overhead/server.ts (packages
 * left in node_modules), as plain Node runs a built server: tsx's loader would add its own
 * memory to the RSS.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createApiClient } from '../../server/src/contract/client.js';
import { recordEvents } from '../../tests/integration/support/events.js';
import {
  assertSameEngine,
  cpuSeconds,
  engineCpu,
  engineProcesses,
  enginePercent,
  percentOf,
  type EngineFigures,
  rssBytes,
} from './proc.js';
import { bundle, upBenchStack } from './stack.js';

const seconds = Number(process.argv[2] ?? 180);
if (!Number.isFinite(seconds) || seconds < 5) throw new Error('seconds: a number of at least 5');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const stack = await upBenchStack('mnbenchidle');
  const running = stack.containerIds;
  const engine = engineProcesses(stack.dockerdPid, running);
  const half = (seconds * 1000) / 2;

  process.stderr.write(`the engine without the server, ${seconds / 2} s...\n`);
  const without1 = await enginePercent(engine, half);

  const server = bundle('server.ts');
  const child = spawn(process.execPath, [server, stack.home], {
    env: stack.env,
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
  const engineBefore = engineCpu(engine);
  const start = performance.now();
  const rss: number[] = [];
  while (performance.now() - start < seconds * 1000) {
    rss.push(rssBytes(child.pid!));
    await sleep(1000);
  }
  const elapsed = (performance.now() - start) / 1000;
  const serverPercent = ((cpuSeconds(child.pid!) - serverBefore) / elapsed) * 100;
  const engineAfter = engineCpu(engine);
  const withServer = percentOf(engineBefore, engineAfter, elapsed);
  const sampled = recorder.events.filter((e) => e.type === 'resources.sampled').length;
  const services = (await client.resourcesLatest({})).services.length;
  recorder.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  process.stderr.write(`the engine without the server again, ${seconds / 2} s...\n`);
  const without2 = await enginePercent(engine, half);
  try {
    assertSameEngine(engine);
  } finally {
    await stack.down();
  }

  const mean = (key: keyof EngineFigures): number => (without1[key] + without2[key]) / 2;
  const without: EngineFigures = {
    dockerd: mean('dockerd'),
    containerd: mean('containerd'),
    shims: mean('shims'),
    total: mean('total'),
  };
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
  const figure = (which: keyof EngineFigures, name: string): string =>
    `  ${name} CPU: ${withServer[which].toFixed(2)} % with the server, ${without[which].toFixed(2)} % without (${without1[which].toFixed(2)} before, ${without2[which].toFixed(2)} after): ${(withServer[which] - without[which]).toFixed(2)} points of a core from us`;
  console.log(figure('dockerd', 'dockerd'));
  // The shims of our containers work for no other test: the figure the shared rig disturbs least.
  console.log(figure('shims', `the stack's ${engine.shims.length} shims`));
  console.log(figure('total', `engine (dockerd, containerd, ${engine.shims.length} shims)`));
  const sum = serverPercent + withServer.total - without.total;
  const sumDockerd = serverPercent + withServer.dockerd - without.dockerd;
  console.log(
    `  server + the engine's extra: ${sum.toFixed(2)} % of one core (target < 1 %: ${sum < 1 ? 'met' : 'NOT met'}; with dockerd's extra alone ${sumDockerd.toFixed(2)} %); ${services} services read, ${sampled} resources.sampled events`,
  );
  console.log(
    '  (the rig is shared: other tests running on the same engine show up in the engine figures)',
  );
}

await main();
