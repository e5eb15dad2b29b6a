/** What the bring-up benches share: the rig, a temporary home with its own compose project, medians. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { runCli } from '../../server/src/cli/run.js';
import { homePaths, type HomePaths } from '../../server/src/infra/fs/home.js';

export interface BenchStack {
  dockerHost: string;
  docker: Docker;
  home: string;
  paths: HomePaths;
  /** Its own compose project: other stacks may run on the same engine. */
  project: string;
  env: NodeJS.ProcessEnv;
}

export function benchStack(name: string): BenchStack {
  const dockerHost = process.env.DOCKER_HOST;
  if (!dockerHost || !process.env.MEDIANEST_IMAGES)
    throw new Error('Set DOCKER_HOST and MEDIANEST_IMAGES from tests/rig/up.sh');
  const home = mkdtempSync(join(tmpdir(), `mna-bench-${name}-`));
  const project = `mna-bench-${name}-${randomBytes(3).toString('hex')}`;
  return {
    dockerHost,
    docker: new Docker({ socketPath: dockerHost.replace('unix://', '') }),
    home,
    paths: homePaths(home),
    project,
    env: { ...process.env, MEDIANEST_COMPOSE_PROJECT: project },
  };
}

/** `init` with the rig's stand-in images and the given HTTP port (HTTPS on the next one). */
export async function initBenchStack(stack: BenchStack, httpPort: number): Promise<void> {
  const args = ['init', '--home', stack.home, '--images', process.env.MEDIANEST_IMAGES ?? ''];
  const code = await runCli(
    [...args, '--http-port', String(httpPort), '--https-port', String(httpPort + 1)],
    {
      stdout: () => undefined,
      stderr: (t: string) => process.stderr.write(`${t}\n`),
      env: stack.env,
      untilShutdown: () => Promise.resolve(),
    },
  );
  if (code !== 0) throw new Error('init failed');
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** "12.34 s  [12.1, 12.3, ...]" */
export const summary = (xs: number[]): string =>
  `median ${(median(xs) / 1000).toFixed(2)} s  [${xs.map((m) => (m / 1000).toFixed(1)).join(', ')}]`;
