/**
 * `medianest-appliance serve` as a user runs it: the built CLI in its own process, a fresh home.
 * None of this needs the Docker engine (DOCKER_HOST points nowhere). Its security probes live in
 * tests/integration/security/.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request, type HttpResponse } from './support/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };

interface Serve {
  child: ChildProcess;
  home: string;
  url: string;
  loginUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const homes: string[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  // The test runs the built CLI: build it first, so it never tests stale output.
  execFileSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
}, 180_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
});
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mna-serve-'));
  homes.push(home);
  return home;
}

function spawnServe(home: string, args: string[] = [], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'serve', '--home', home, '--port', '0', ...args], {
    env: { ...process.env, ...NO_ENGINE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

const serveFileOf = (home: string) =>
  JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as Record<string, unknown>;

async function startServe(
  home = newHome(),
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Serve> {
  const proc = spawnServe(home, args, env);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = /^ready (\S+)$/m.exec(proc.stdout());
    // stdout is a pipe here, not a terminal: the link is in serve.json only (written before ready).
    if (ready?.[1]) {
      const loginUrl = serveFileOf(home).loginUrl as string;
      return { ...proc, home, url: ready[1], loginUrl };
    }
    if (proc.child.exitCode !== null) throw new Error(`serve exited early: ${proc.stderr()}`);
    if (Date.now() > deadline) throw new Error(`serve did not become ready: ${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cookieOf = (res: HttpResponse): string => {
  const set = res.headers['set-cookie']?.[0] ?? '';
  return set.split(';')[0] ?? '';
};

const signedIn = async (url: string, cookie: string): Promise<boolean> =>
  (await request(`${url}/api/auth/session`, { headers: { cookie } })).json<{ signedIn: boolean }>()
    .signedIn;

describe('serve', () => {
  it('writes serve.json (0600) with url, token, pid and loginUrl, and prints ready and where the link is', async () => {
    const s = await startServe();
    const file = join(s.home, 'serve.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = serveFileOf(s.home);
    expect(content).toEqual({
      url: s.url,
      token: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      pid: s.child.pid,
      loginUrl: s.loginUrl,
    });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.loginUrl).toMatch(new RegExp(`^${s.url}/auth/login\\?code=[A-Za-z0-9_-]{43}$`));
    // The token is in serve.json only: never printed; nor is the link, stdout being a pipe.
    expect(s.stdout() + s.stderr()).not.toContain(content.token as string);
    expect(s.stdout() + s.stderr()).not.toContain(s.loginUrl);
    expect(s.stdout()).toContain(`"loginUrl" in ${join(s.home, 'serve.json')}`);
  });

  it('lets the login link sign a browser in once: cookie, 303 to /, then refused', async () => {
    const s = await startServe();
    const first = await request(s.loginUrl);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['set-cookie']?.[0]).toMatch(
      /^mna_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/,
    );
    const cookie = cookieOf(first);
    expect(await signedIn(s.url, cookie)).toBe(true);
    expect((await request(`${s.url}/api/doctor`, { headers: { cookie } })).status).toBe(200);

    const second = await request(s.loginUrl);
    expect(second.status).toBe(403);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(second.body.toString()).toContain('This sign-in link no longer works');
  });

  it('refuses a second serve on the same home while the first is alive', async () => {
    const first = await startServe();
    const second = spawnServe(first.home);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(
      `another serve (pid ${first.child.pid}) is already running for ${first.home} at ${first.url}`,
    );
    // The first one's file is untouched and it still answers.
    expect(serveFileOf(first.home).pid).toBe(first.child.pid);
    expect((await request(`${first.url}/api/health`)).status).toBe(200);
  });

  it('replaces a stale serve.json left by a serve that crashed', async () => {
    const home = newHome();
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(join(home, 'serve.json'), JSON.stringify({ pid: dead.pid, url: 'http://x' }));
    const s = await startServe(home);
    expect(s.stderr()).toContain(`no longer running (pid ${dead.pid})`);
    expect(serveFileOf(home).pid).toBe(s.child.pid);
  });

  it('on SIGTERM closes its event streams, removes serve.json and exits 0', async () => {
    const s = await startServe();
    const token = serveFileOf(s.home).token as string;
    let streamed = '';
    let signalled = false;
    const streamEnded = new Promise<void>((resolve, reject) => {
      const req = http.get(
        `${s.url}/api/events`,
        { headers: { authorization: `Bearer ${token}` }, agent: false },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            streamed += chunk;
            // Once: a second SIGTERM during shutdown would kill the process outright.
            if (streamed.includes(': connected') && !signalled) signalled = s.child.kill('SIGTERM');
          });
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
    });
    await streamEnded;
    expect(await s.exited).toBe(0);
    expect(streamed).toContain('"type":"stream.closed","reason":"server-stopping"');
    expect(existsSync(join(s.home, 'serve.json'))).toBe(false);
  });
});
