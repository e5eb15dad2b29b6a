/**
 * bench/health-latency: the time from a fault to the event reaching an SSE client of our server,
 * against the time until `docker events` on the same engine prints it, same run, N trials each of
 * a killed container, a stopped one and one made unhealthy (redis; the unhealthy case waits for
 * the engine's healthcheck retries, about 25 s a trial). Target: our p99 at most 100 ms above the
 * CLI's, per case.
 *
 *   DOCKER_HOST=... MEDIANEST_IMAGES=... npx tsx bench/health-latency/run.ts [trials] [kill,stop,unhealthy]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { createApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { createServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { recordEvents } from '../../tests/integration/support/events.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';

const trials = Number(process.argv[2] ?? 20);
/** Which faults, comma-separated (default all three). */
const selected = (process.argv[3] ?? 'kill,stop,unhealthy').split(',');

interface FaultCase {
  name: string;
  title: string;
  fault: () => Promise<unknown>;
  /** The state our SSE client waits for on redis. */
  ours: 'exited' | 'unhealthy';
  /** How the `docker events` line for the same engine event starts. */
  cli: string;
  recover: () => Promise<unknown>;
}
const dockerHost = process.env.DOCKER_HOST;
const imagesFile = process.env.MEDIANEST_IMAGES;
if (!dockerHost || !imagesFile)
  throw new Error('Set DOCKER_HOST and MEDIANEST_IMAGES from tests/rig/up.sh');
const PROJECT = 'mnbenchhealth';
const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
const home = mkdtempSync(join(tmpdir(), 'mna-bench-health-'));
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const io = {
  stdout: () => undefined,
  stderr: () => undefined,
  env,
  untilShutdown: () => Promise.resolve(),
};

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  await removeComposeProject(docker, PROJECT);
  const port = 52_000 + Math.floor(Math.random() * 3_000);
  if (
    (await runCli(
      [
        'init',
        '--home',
        home,
        '--images',
        imagesFile!,
        '--http-port',
        String(port),
        '--https-port',
        String(port + 1),
      ],
      io,
    )) !== 0
  )
    throw new Error('init failed');
  if ((await runCli(['up', '--home', home], io)) !== 0) throw new Error('up failed');
  const server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
  const { url, token } = await server.start();
  const recorder = await recordEvents(url, token);
  const client = createApiClient({ baseUrl: url, token });
  const cli = spawn(
    'docker',
    [
      '-H',
      dockerHost!,
      'events',
      '--format',
      '{{.Action}} {{.Actor.Attributes.name}}',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const cliLines: Array<{ at: number; text: string }> = [];
  createInterface({ input: cli.stdout }).on('line', (text) =>
    cliLines.push({ at: performance.now(), text }),
  );
  await new Promise((r) => setTimeout(r, 1000));

  const container = async (service: string): Promise<Docker.Container> => {
    const [c] = await docker.listContainers({
      all: true,
      filters: {
        label: [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`],
      },
    });
    return docker.getContainer(c?.Id ?? '');
  };
  const waitHealthy = async (): Promise<void> => {
    for (let i = 0; i < 1200 && (await client.stackHealth({})).status !== 'healthy'; i++)
      await new Promise((r) => setTimeout(r, 100));
  };
  /** Runs a shell inside redis as its own user; the password stays in files and pipes. */
  const redisShell = async (script: string): Promise<void> => {
    const exec = await (
      await container('redis')
    ).exec({
      Cmd: ['sh', '-c', script],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    stream.resume();
    await new Promise((r) => stream.on('end', r));
  };
  const PW = 'P=$(cat /run/secrets/redis_password)';
  const all: FaultCase[] = [
    {
      name: 'kill',
      title: 'container killed',
      fault: async () => {
        await (await container('redis')).kill();
      },
      ours: 'exited',
      cli: 'die',
      recover: async () => {
        await (await container('redis')).start();
      },
    },
    {
      name: 'stop',
      title: 'container stopped (docker stop, SIGTERM)',
      fault: async () => {
        await (await container('redis')).stop({ t: 10 });
      },
      ours: 'exited',
      cli: 'die',
      recover: async () => {
        await (await container('redis')).start();
      },
    },
    {
      // Redis's password changes under its healthcheck: the check fails until the engine, after
      // its retries, reports the container unhealthy. Both sides wait for that same engine event.
      name: 'unhealthy',
      title: 'service made unhealthy (its healthcheck fails)',
      fault: () =>
        redisShell(
          `${PW}; printf '%sx' "$P" | REDISCLI_AUTH="$P" redis-cli -x CONFIG SET requirepass`,
        ),
      ours: 'unhealthy',
      cli: 'health_status: unhealthy',
      recover: () =>
        redisShell(
          `${PW}; printf '%s' "$P" | REDISCLI_AUTH="\${P}x" redis-cli -x CONFIG SET requirepass`,
        ),
    },
  ];
  const cases = all.filter((c) => selected.includes(c.name));

  const results: Array<{ title: string; ours: number[]; theirs: number[] }> = [];
  for (const fault of cases) {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < trials; i++) {
      const mark = recorder.events.length;
      const cliMark = cliLines.length;
      const start = performance.now();
      await fault.fault();
      const seenByUs = await recorder.waitFor(
        (e): e is Extract<ServerEvent, { type: 'service.state-changed' }> =>
          recorder.events.indexOf(e) >= mark &&
          e.type === 'service.state-changed' &&
          e.service.service === 'redis' &&
          e.service.state === fault.ours,
        90_000,
      );
      // When it arrived, not when the fault call returned: the engine answers a kill after it has
      // sent the event, and the CLI side is timed by arrival too.
      ours.push(recorder.arrivals[recorder.events.indexOf(seenByUs)]! - start);
      const seen = (): { at: number } | undefined =>
        cliLines.slice(cliMark).find((l) => l.text.startsWith(fault.cli));
      for (let w = 0; w < 100 && !seen(); w++) await new Promise((r) => setTimeout(r, 10));
      theirs.push((seen()?.at ?? NaN) - start);
      await fault.recover();
      await waitHealthy();
      process.stderr.write(
        `${fault.name} trial ${i + 1}: ours ${ours.at(-1)!.toFixed(0)} ms, docker events ${theirs.at(-1)!.toFixed(0)} ms\n`,
      );
    }
    results.push({ title: fault.title, ours, theirs });
  }
  cli.kill();
  recorder.close();
  await server.stop();
  await runCli(['down', '--home', home], io);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
  for (const { title, ours, theirs } of results) {
    const gap = pct(ours, 99) - pct(theirs, 99);
    console.log(`health latency, ${title}, ${trials} trials (the fault call included in both)`);
    console.log(
      `  ours (engine event -> monitor -> SSE client): p50 ${pct(ours, 50).toFixed(0)} ms, p99 ${pct(ours, 99).toFixed(0)} ms`,
    );
    console.log(
      `  docker events CLI:                          p50 ${pct(theirs, 50).toFixed(0)} ms, p99 ${pct(theirs, 99).toFixed(0)} ms`,
    );
    console.log(
      `  p99 difference ${gap.toFixed(0)} ms (target <= 100 ms: ${gap <= 100 ? 'met' : 'NOT met'})`,
    );
  }
}

await main();
