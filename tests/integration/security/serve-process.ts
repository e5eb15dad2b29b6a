/**
 * `medianest-appliance serve` as a service manager or a user starts it: the built CLI in its own
 * process. Nothing here needs the Docker engine (DOCKER_HOST points nowhere).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'dist/server/src/cli.js');
export const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };

/** Builds the CLI, so a test never runs stale output. */
export function buildCli(): void {
  execFileSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
}

export interface ServeFile {
  url: string;
  token: string;
  pid: number;
  loginUrl: string;
}

export const readServeFile = (home: string): ServeFile =>
  JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as ServeFile;

export interface RunningServe {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts serve on port 0 with stdout and stderr piped, and waits for its `ready` line. */
export async function startServe(
  home: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<RunningServe> {
  const child = spawn(process.execPath, [CLI, 'serve', '--home', home, '--port', '0', ...args], {
    env: { ...process.env, ...NO_ENGINE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = /^ready (\S+)$/m.exec(stdout);
    if (ready?.[1])
      return { child, url: ready[1], stdout: () => stdout, stderr: () => stderr, stop };
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serve did not become ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
