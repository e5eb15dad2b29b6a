import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type AppServer, type ServerOptions } from '../index.js';
import { createLogger } from '../infra/log/logger.js';
import { rawRequest, type RawAnswer } from './raw-request.test-support.js';

const TOKEN = 'a1'.repeat(32);
const PASSWORD = 'canary-admin-password-7c1e';
const FAST = { ln: 10, r: 8, p: 1 };
const homes: string[] = [];
let server: AppServer | undefined;
const logLines: string[] = [];

afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  logLines.length = 0;
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mna-auth-http-'));
  homes.push(home);
  return home;
}

async function start(options: Partial<ServerOptions> = {}) {
  const home = newHome();
  server = createServer({
    home,
    token: TOKEN,
    rendererDir: undefined,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    scrypt: FAST,
    logger: createLogger({ write: (l) => logLines.push(l), secrets: () => [TOKEN] }),
    ...options,
  });
  return { server, ...(await server.start()) };
}

const raw = rawRequest;

const cookieFrom = (answer: RawAnswer): string => {
  const set = answer.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return first?.split(';')[0] ?? '';
};

async function signInWithLink(url: string): Promise<{ cookie: string; answer: RawAnswer }> {
  const link = server?.createLoginLink();
  const answer = await raw(
    url,
    new URL(link?.loginUrl ?? '').pathname + new URL(link?.loginUrl ?? '').search,
  );
  return { cookie: cookieFrom(answer), answer };
}

const json = (body: string): unknown => JSON.parse(body);

describe('signing in with the one-time login link', () => {
  it('sets an httpOnly, SameSite=Strict cookie and redirects (303) to / so the code leaves the address bar', async () => {
    const { url } = await start();
    const link = server?.createLoginLink();
    expect(link?.loginUrl).toMatch(new RegExp(`^${url}/auth/login\\?code=[A-Za-z0-9_-]{43}$`));
    const { answer, cookie } = await signInWithLink(url);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/');
    expect(answer.headers['cache-control']).toBe('no-store');
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^mna_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/,
    );
    const session = await raw(url, '/api/auth/session', { headers: { cookie } });
    expect(json(session.body)).toEqual({
      signedIn: true,
      via: 'session',
      mode: 'loopback',
      passwordLogin: false,
    });
    const events = await raw(url, '/api/events', { headers: { cookie } });
    expect(events.status).toBe(200);
    expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('works once: a second use gets a page saying what to do, and no cookie', async () => {
    const { url } = await start();
    const link = new URL(server?.createLoginLink().loginUrl ?? '');
    const first = await raw(url, link.pathname + link.search);
    expect(first.status).toBe(303);
    const second = await raw(url, link.pathname + link.search);
    expect(second.status).toBe(403);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(second.headers['content-type']).toMatch(/^text\/html/);
    expect(second.body).toContain('This sign-in link no longer works');
    expect(second.body).toContain('restart <code>medianest-appliance serve</code>');
    // The browser that used it is told it is signed in already.
    const again = await raw(url, link.pathname + link.search, {
      headers: { cookie: cookieFrom(first) },
    });
    expect(again.body).toContain('This browser is already signed in');
    expect((await raw(url, '/auth/login')).status).toBe(400);
  });

  it('tells a browser without a session that it is signed out, and refuses it everything else', async () => {
    const { url } = await start();
    expect(json((await raw(url, '/api/auth/session')).body)).toEqual({
      signedIn: false,
      mode: 'loopback',
      passwordLogin: false,
    });
    for (const path of ['/api/doctor', '/api/events']) {
      expect((await raw(url, path)).status).toBe(401);
      expect((await raw(url, path, { headers: { cookie: 'mna_session=forged' } })).status).toBe(
        401,
      );
    }
    const token = await raw(url, '/api/auth/session', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(json(token.body)).toMatchObject({ signedIn: true, via: 'token' });
  });
});

describe('state-changing requests with a session cookie', () => {
  it('need a matching Origin: a cross-origin, origin-less or form POST changes nothing', async () => {
    const { url } = await start();
    const { cookie } = await signInWithLink(url);
    const logout = (headers: Record<string, string>, body = '{}') =>
      raw(url, '/api/auth/logout', { method: 'POST', headers: { cookie, ...headers }, body });
    const stillSignedIn = async () =>
      (
        json((await raw(url, '/api/auth/session', { headers: { cookie } })).body) as {
          signedIn: boolean;
        }
      ).signedIn;

    expect(
      (await logout({ origin: 'http://evil.example', 'content-type': 'application/json' })).status,
    ).toBe(403);
    expect((await logout({ 'content-type': 'application/json' })).status).toBe(403);
    expect(
      (await logout({ origin: url, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'))
        .status,
    ).toBe(400);
    expect(await stillSignedIn()).toBe(true);

    const done = await logout({ origin: url, 'content-type': 'application/json' });
    expect(done.status).toBe(200);
    expect(String(done.headers['set-cookie'])).toContain(
      'mna_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0',
    );
    expect(await stillSignedIn()).toBe(false);
  });

  it('need no Origin with the token (a non-browser client)', async () => {
    const { url } = await start();
    const res = await raw(url, '/api/auth/login-link', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect((json(res.body) as { loginUrl: string }).loginUrl).toMatch(/\/auth\/login\?code=/);
  });

  it("builds the link on the server's own URL, whatever Host the request named", async () => {
    const { url } = await start({ allowedHosts: ['nas.example.com'] });
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `nas.example.com:${port}`, 'nas.example.com']) {
      const res = await raw(url, '/api/auth/login-link', {
        method: 'POST',
        headers: { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
      const link = (json(res.body) as { loginUrl: string }).loginUrl;
      expect(link).toMatch(new RegExp(`^${url}/auth/login\\?code=[A-Za-z0-9_-]{43}$`));
    }
  });
});

describe('the admin password', () => {
  it('signs a browser in, and answers 429 with Retry-After after five wrong tries', async () => {
    const { url } = await start();
    await server?.setAdminPassword(PASSWORD);
    const login = (password: string) =>
      raw(url, '/api/auth/login', {
        method: 'POST',
        headers: { origin: url, 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      });
    const right = await login(PASSWORD);
    expect(right.status).toBe(200);
    expect(json(right.body)).toMatchObject({ signedIn: true, via: 'session', passwordLogin: true });
    expect(String(right.headers['set-cookie'])).toMatch(
      /^mna_session=.+; HttpOnly; SameSite=Strict/,
    );

    for (let i = 0; i < 5; i++) expect((await login('not the password')).status).toBe(401);
    const limited = await login(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    expect(json(limited.body)).toMatchObject({ error: { code: 'rate_limited' } });
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });

  it('is required before listening beyond loopback; then LAN names and addresses are served', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'forbidden' });
    await server?.stop();
    server = createServer({
      home: newHome(),
      token: TOKEN,
      host: '0.0.0.0',
      scrypt: FAST,
      logger: createLogger({ write: () => undefined }),
    });
    await server.setAdminPassword(PASSWORD);
    const { url } = await server.start();
    const port = new URL(url).port;
    const asHost = (host: string) =>
      raw(url, '/api/auth/session', { headers: { host: `${host}:${port}` } });
    expect(json((await asHost('192.168.1.20')).body)).toMatchObject({
      mode: 'lan',
      passwordLogin: true,
    });
    expect((await asHost(hostname())).status).toBe(200);
    expect((await asHost(`${hostname()}.local`)).status).toBe(200);
    expect((await asHost('evil.example')).status).toBe(403);
  });
});
