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

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
/** None of the probes needs the engine. */
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };

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
        const served = readServeFile(home);
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

interface ServeFile {
  pid?: number;
  url?: string;
  token?: string;
  loginUrl?: string;
}

/** serve.json is replaced by a rename, so it is whole or absent; absent (or a stale one) reads as {}. */
function readServeFile(home: string): ServeFile {
  try {
    return JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as ServeFile;
  } catch {
    return {};
  }
}

/** The `name=value` part of a response's first Set-Cookie, or ''. */
export const cookieOf = (res: HttpResponse): string =>
  (res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
