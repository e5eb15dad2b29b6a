/**
 * Host header and login link probes against the built `serve` (issue 17, section 4): a Host that
 * only starts like a loopback name is refused, a login link is built on the server's own URL, and
 * the link goes only to a terminal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.js';
import {
  buildCli,
  CLI,
  NO_ENGINE,
  readServeFile,
  startServe,
  type RunningServe,
} from './serve-process.js';

const homes: string[] = [];
const running: RunningServe[] = [];
const LINK = /\/auth\/login\?code=/;

beforeAll(buildCli, 180_000);
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mna-sec-host-'));
  homes.push(home);
  return home;
}

async function serveIn(home = newHome(), env: Record<string, string> = {}) {
  const s = await startServe(home, env);
  running.push(s);
  return { ...s, home, port: new URL(s.url).port };
}

describe('the Host header', () => {
  it('refuses a Host that only starts like a loopback name (403), on every path', async () => {
    const s = await serveIn();
    const { token } = readServeFile(s.home);
    const foreign = [
      `localhost:${s.port}.evil.com`,
      '[::1]evil.com',
      `localhost:1@evil.example`,
      `127.0.0.1:${s.port}@evil.example`,
      `localhost:${s.port}/x`,
      `localhost:${s.port}:${s.port}`,
      'evil.example',
    ];
    for (const host of foreign) {
      const health = await request(`${s.url}/api/health`, { headers: { host } });
      expect(health.status, host).toBe(403);
      expect(health.json<{ error: { code: string } }>().error.code, host).toBe('forbidden');
      const link = await request(`${s.url}/api/auth/login-link`, {
        method: 'POST',
        headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(link.status, host).toBe(403);
      expect(link.body.toString(), host).not.toMatch(LINK);
    }
  });

  it('answers its own loopback names, with or without the port', async () => {
    const s = await serveIn();
    for (const host of [
      `localhost:${s.port}`,
      `127.0.0.1:${s.port}`,
      `[::1]:${s.port}`,
      'localhost',
    ]) {
      expect((await request(`${s.url}/api/health`, { headers: { host } })).status, host).toBe(200);
    }
  });
});

describe('the login link', () => {
  it("is built on the server's own URL, whatever Host the request named", async () => {
    const s = await serveIn();
    const { token, loginUrl } = readServeFile(s.home);
    expect(loginUrl.startsWith(`${s.url}/auth/login?code=`)).toBe(true);
    const res = await request(`${s.url}/api/auth/login-link`, {
      method: 'POST',
      headers: {
        host: `localhost:${s.port}`,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const fresh = res.json<{ loginUrl: string }>().loginUrl;
    expect(fresh).toMatch(new RegExp(`^${s.url}/auth/login\\?code=[A-Za-z0-9_-]{43}$`));
    expect((await request(fresh)).status).toBe(303);
  });

  it('is not printed under systemd (JOURNAL_STREAM set, output to the journal): serve.json has it', async () => {
    const s = await serveIn(newHome(), { JOURNAL_STREAM: '8:4242', INVOCATION_ID: 'ab12cd34' });
    const { loginUrl } = readServeFile(s.home);
    // The line after `ready` may arrive in a later chunk.
    for (let i = 0; i < 500 && !s.stdout().includes('login link'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(s.stdout() + s.stderr()).not.toMatch(LINK);
    expect(s.stdout()).toContain(
      `login link not printed (running as a service, the journal would keep it): it is "loginUrl" in ${join(s.home, 'serve.json')}`,
    );
    const signIn = await request(loginUrl);
    expect(signIn.status).toBe(303);
  });

  it('is printed on a terminal', async () => {
    const home = newHome();
    // util-linux `script` runs serve on a pseudo-terminal, as a person at a shell would.
    const command = [process.execPath, CLI, 'serve', '--home', home, '--port', '0']
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, ...NO_ENGINE },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!/^login \S+\r?$/m.test(out) && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const printed = /^login (\S+)\r?$/m.exec(out)?.[1];
      expect(printed, out).toBe(readServeFile(home).loginUrl);
    } finally {
      try {
        process.kill(readServeFile(home).pid, 'SIGTERM');
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
    }
  });
});
