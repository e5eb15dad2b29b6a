/**
 * The standing check of the HTTP surface (docs/security.md, "HTTP surface"): each probe is an attack
 * a web page, a process on the LAN or a careless script could make against a real `serve`, and each
 * asserts both the refusal and that nothing changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { request } from '../support/http.js';
import { buildCli, cookieOf, ServeProcesses, type ServedProcess } from './serve-process.js';

const CANARY_PASSWORD = 'canary-pw-3b9d51f0c2';
const JSON_TYPE = { 'content-type': 'application/json' };

const serves = new ServeProcesses();
beforeAll(buildCli, 180_000);
afterEach(() => serves.cleanup());

const signedIn = async (url: string, cookie: string): Promise<boolean> =>
  (await request(`${url}/api/auth/session`, { headers: { cookie } })).json<{ signedIn: boolean }>()
    .signedIn;

/** A signed-in browser: the login link exchanged for its cookie. */
async function browserOf(s: ServedProcess): Promise<string> {
  const cookie = cookieOf(await request(s.loginUrl));
  expect(cookie).toMatch(/^mna_session=/);
  return cookie;
}

/** Signing out is the state change the probes try to cause: it is visible and harmless. */
const logout = (s: ServedProcess, headers: Record<string, string>, body: string | Buffer = '{}') =>
  request(`${s.url}/api/auth/logout`, { method: 'POST', headers, body });

describe('HTTP surface: who may call', () => {
  it('refuses no token and a wrong token on reads, the event stream and changes', async () => {
    const s = await serves.start();
    for (const path of ['/api/doctor', '/api/events', '/api/auth/logout']) {
      const method = path.endsWith('logout') ? 'POST' : 'GET';
      const none = await request(`${s.url}${path}`, { method, headers: JSON_TYPE, body: '{}' });
      expect(none.status).toBe(401);
      const wrong = { authorization: `Bearer ${'0'.repeat(64)}`, ...JSON_TYPE };
      expect(
        (await request(`${s.url}${path}`, { method, headers: wrong, body: '{}' })).status,
      ).toBe(401);
    }
  });

  it('never takes the token from the query string, where browsers and proxies keep it', async () => {
    const s = await serves.start();
    for (const name of ['token', 'access_token', 'authorization']) {
      const res = await request(`${s.url}/api/doctor?${name}=${s.token}`);
      expect(res.status).toBe(401);
    }
    const stream = await request(`${s.url}/api/events?token=${s.token}`);
    expect(stream.status).toBe(401);
    // The same token in its header is accepted: the refusal above is about where it was put.
    const header = await request(`${s.url}/api/health`, {
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(header.status).toBe(200);
  });

  it('lets a login link sign a browser in once; a second use gets no cookie', async () => {
    const s = await serves.start();
    const first = await request(s.loginUrl);
    expect(first.status).toBe(303);
    const cookie = cookieOf(first);
    expect(await signedIn(s.url, cookie)).toBe(true);
    const second = await request(s.loginUrl);
    expect(second.status).toBe(403);
    expect(second.headers['set-cookie']).toBeUndefined();
    // A guessed code of the right form is no better.
    const guessed = new URL(s.loginUrl);
    guessed.searchParams.set('code', 'A'.repeat(43));
    const guess = await request(guessed.toString());
    expect(guess.status).toBe(403);
    expect(guess.headers['set-cookie']).toBeUndefined();
  });
});

describe('HTTP surface: where a request comes from', () => {
  it('refuses a foreign Host (DNS rebinding), with or without the token', async () => {
    const s = await serves.start();
    const foreign = await request(`${s.url}/api/health`, { headers: { host: 'evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.json()).toMatchObject({ error: { code: 'forbidden' } });
    const withToken = await request(`${s.url}/api/doctor`, {
      headers: { host: 'attacker.example:80', authorization: `Bearer ${s.token}` },
    });
    expect(withToken.status).toBe(403);
  });

  it('refuses a change from another origin, from no origin, from Origin null, or as a form', async () => {
    const s = await serves.start();
    const cookie = await browserOf(s);
    expect((await logout(s, { cookie, origin: 'http://evil.example', ...JSON_TYPE })).status).toBe(
      403,
    );
    expect((await logout(s, { cookie, ...JSON_TYPE })).status).toBe(403);
    // A sandboxed iframe or a redirected form sends `Origin: null`.
    expect((await logout(s, { cookie, origin: 'null', ...JSON_TYPE })).status).toBe(403);
    const form = await logout(
      s,
      { cookie, origin: s.url, 'content-type': 'application/x-www-form-urlencoded' },
      'x=1',
    );
    expect(form.status).toBe(400);
    const text = await request(`${s.url}/api/auth/login-link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(400);
    expect(await signedIn(s.url, cookie)).toBe(true);
    // The same request from the page's own origin works: the refusals were about the origin.
    expect((await logout(s, { cookie, origin: s.url, ...JSON_TYPE })).status).toBe(200);
    expect(await signedIn(s.url, cookie)).toBe(false);
  });

  it('refuses a body over the limit with 413 and changes nothing', async () => {
    const s = await serves.start();
    const cookie = await browserOf(s);
    const huge = Buffer.from(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
    const res = await logout(s, { cookie, origin: s.url, ...JSON_TYPE }, huge);
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await signedIn(s.url, cookie)).toBe(true);
  });
});

describe('HTTP surface: beyond loopback', () => {
  it('refuses to listen beyond loopback without an admin password', async () => {
    const home = serves.newHome();
    const s = serves.spawn(home, ['--host', '0.0.0.0']);
    expect(await s.exited).toBe(1);
    expect(s.stderr()).toContain('--host 0.0.0.0 lets other machines reach this server');
    expect(s.stdout()).not.toContain('ready');
    expect(existsSync(join(home, 'serve.json'))).toBe(false);
  });

  it('in LAN mode signs in with the admin password, rate-limits guesses, and logs no secret', async () => {
    const s = await serves.start(serves.newHome(), ['--host', '0.0.0.0'], {
      MEDIANEST_ADMIN_PASSWORD: CANARY_PASSWORD,
    });
    const login = (password: string) =>
      request(`${s.url}/api/auth/login`, {
        method: 'POST',
        headers: { origin: s.url, ...JSON_TYPE },
        body: JSON.stringify({ password }),
      });
    // HTTPS only, with the certificate whose fingerprint serve printed and wrote to serve.json.
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await vi.waitFor(() => expect(s.stdout()).toMatch(/^certificate SHA-256 /m));
    const printed = /^certificate SHA-256 (\S+)$/m.exec(s.stdout())?.[1];
    const served = JSON.parse(readFileSync(join(s.home, 'serve.json'), 'utf8')) as {
      fingerprint?: string;
    };
    expect(printed).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(served.fingerprint).toBe(printed);
    expect((await request(`${s.url}/api/health`)).fingerprint).toBe(printed);
    const plain = await request(`${s.url.replace('https:', 'http:')}/api/health`).then(
      (res) => `HTTP ${res.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(plain).not.toMatch(/^HTTP /);

    const right = await login(CANARY_PASSWORD);
    expect(right.status).toBe(200);
    expect(String(right.headers['set-cookie'])).toMatch(/; Secure/);
    const cookie = cookieOf(right);
    expect(await signedIn(s.url, cookie)).toBe(true);

    for (let i = 0; i < 5; i++) expect((await login(`${CANARY_PASSWORD}-wrong`)).status).toBe(401);
    const limited = await login(CANARY_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // A LAN address as Host is served; a name that is not this machine's is not.
    const port = new URL(s.url).port;
    expect(
      (await request(`${s.url}/api/health`, { headers: { host: `192.168.77.7:${port}` } })).status,
    ).toBe(200);
    expect(
      (await request(`${s.url}/api/health`, { headers: { host: `rebind.example:${port}` } }))
        .status,
    ).toBe(403);

    await request(s.loginUrl);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    // Not printed either: stdout is no terminal here, so the login link went to serve.json only.
    const log = s.stdout() + s.stderr();
    for (const secret of [
      s.token,
      CANARY_PASSWORD,
      cookie.split('=')[1] ?? '',
      new URL(s.loginUrl).searchParams.get('code') ?? '',
    ]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(log.includes(secret) ? 'secret found in the log' : 'clean').toBe('clean');
    }
  });
});
