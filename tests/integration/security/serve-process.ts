/**
 * A real `medianest-appliance serve` for the security probes: the built CLI in its own process with a
 * fresh home. Its address, token and one-time login link are read from `<home>/serve.json` (0600),
 * the way a script or a second process on the machine finds them, not from what it prints.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResponse } from '../support/http.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'dist/server/src/cli.js');
/** None of the probes needs the engine. */
export const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };

export interface ServedProcess {
  readonly child: ChildProcess;
  readonly home: string;
  readonly url: string;
  readonly token: string;
  readonly loginUrl: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

export interface SpawnedServe {
  readonly child: ChildProcess;
  readonly home: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

/** Builds the CLI once per file, so a probe never runs against stale output. */
export function buildCli(): void {
  execFileSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
}

/** Processes and homes of one test file, removed by `cleanup()`. */
export class ServeProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly homes: string[] = [];

  newHome(): string {
    const home = mkdtempSync(join(tmpdir(), 'mna-sec-'));
    this.homes.push(home);
    return home;
  }

  spawn(home: string, args: string[] = [], env: Record<string, string> = {}): SpawnedServe {
    const child = spawn(process.execPath, [CLI, 'serve', '--home', home, '--port', '0', ...args], {
      env: { ...process.env, ...NO_ENGINE, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, home, exited, stdout: () => out, stderr: () => err };
  }

  /** Starts serve and waits until its serve.json names this process and a login link. */
  async start(
    home = this.newHome(),
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<ServedProcess> {
    const proc = this.spawn(home, args, env);
    const file = join(home, 'serve.json');
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (existsSync(file)) {
        const served = peekServeFile(home);
        if (served.pid === proc.child.pid && served.url && served.token && served.loginUrl) {
          return { ...proc, url: served.url, token: served.token, loginUrl: served.loginUrl };
        }
      }
      if (proc.child.exitCode !== null) throw new Error(`serve exited early: ${proc.stderr()}`);
      if (Date.now() > deadline) throw new Error(`serve did not become ready: ${proc.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async cleanup(): Promise<void> {
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }
    }
    for (const home of this.homes.splice(0)) rmSync(home, { recursive: true, force: true });
  }
}

export interface ServeFile {
  url: string;
  token: string;
  pid: number;
  loginUrl: string;
}

/** `<home>/serve.json`; throws when it is absent. */
export const readServeFile = (home: string): ServeFile =>
  JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as ServeFile;

/** serve.json is replaced by a rename, so it is whole or absent; absent reads as {}. */
function peekServeFile(home: string): Partial<ServeFile> {
  try {
    return readServeFile(home);
  } catch {
    return {};
  }
}

export interface RunningServe {
  child: ChildProcess;
  home: string;
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts serve on port 0 with stdout and stderr piped (not a terminal, as under a service manager)
 * and waits for its `ready` line; the caller stops it.
 */
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
      return { child, home, url: ready[1], stdout: () => stdout, stderr: () => stderr, stop };
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serve did not become ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The `name=value` part of a response's first Set-Cookie, or ''. */
export const cookieOf = (res: HttpResponse): string =>
  (res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
