/**
 * The stack the idle benches watch: prod with the monitoring and devtools profiles (10
 * long-running services and the migration job), installed into a scratch home on the rig's engine
 * under its own compose project, and removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { removeComposeProject } from '../../tests/integration/support/project.js';

export interface BenchStack {
  docker: Docker;
  dockerHost: string;
  project: string;
  home: string;
  /** The environment the server runs with (the project name in it). */
  env: NodeJS.ProcessEnv;
  dockerdPid: number;
  /** Full ids of the running containers. */
  containerIds: string[];
  down(): Promise<void>;
}

export async function upBenchStack(name: string): Promise<BenchStack> {
  const dockerHost = process.env.DOCKER_HOST;
  const imagesFile = process.env.MEDIANEST_IMAGES;
  if (!dockerHost?.startsWith('unix://') || !imagesFile)
    throw new Error('Set DOCKER_HOST (unix://) and MEDIANEST_IMAGES from tests/rig/up.sh');
  const dockerdPid = Number(readFileSync('/var/tmp/medianest-rig/dockerd.pid', 'utf8').trim());
  const project = `${name}${Date.now().toString(36)}`;
  const docker = new Docker({ socketPath: dockerHost.replace('unix://', '') });
  const home = mkdtempSync(join(tmpdir(), `mna-${name}-`));
  const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: project };
  const io = {
    stdout: () => undefined,
    stderr: (text: string) => void process.stderr.write(text),
    env,
    untilShutdown: () => Promise.resolve(),
  };
  await removeComposeProject(docker, project);
  const port = 55_000 + Math.floor(Math.random() * 3_000);
  const init = await runCli(
    [
      ...['init', '--home', home, '--images', imagesFile],
      ...['--profile', 'monitoring', '--profile', 'devtools'],
      ...['--http-port', String(port), '--https-port', String(port + 1)],
    ],
    io,
  );
  if (init !== 0) throw new Error('init failed');
  if ((await runCli(['up', '--home', home], io)) !== 0) throw new Error('up failed');
  const running = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`], status: ['running'] },
  });
  process.stderr.write(`\nstack up: ${running.length} containers running\n`);
  return {
    docker,
    dockerHost,
    project,
    home,
    env,
    dockerdPid,
    containerIds: running.map((c) => c.Id),
    async down() {
      await runCli(['down', '--home', home], io);
      await removeComposeProject(docker, project);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Bundles a script with esbuild (packages left in node_modules), as plain Node runs a built
 * server: tsx's loader would add its own CPU and memory to the figures.
 */
export function bundle(script: string): string {
  // Inside the checkout (dist/ is ignored), so the bundle's imports resolve to its node_modules.
  const name = script.replace(/^.*\//, '').replace(/\.ts$/, '.mjs');
  const out = join(import.meta.dirname, '../../dist/bench/idle-overhead', name);
  const built = spawnSync(
    'npx',
    [
      ...['esbuild', join(import.meta.dirname, script), '--bundle', '--platform=node'],
      ...['--format=esm', '--packages=external', `--outfile=${out}`, '--log-level=warning'],
    ],
    { stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error(`bundling ${script} failed`);
  return out;
}
