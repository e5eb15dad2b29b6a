/**
 * Beyond loopback the server speaks HTTPS only (issue 21 §1), with the certificate it made or the
 * user's; plain HTTP only when asked for by name. Real servers on 0.0.0.0, asked on 127.0.0.1.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificate } from '../core/secrets/self-signed.js';
import type { ServerOptions } from '../index.js';
import { LAN_ADMIN_PASSWORD, startLanServer } from '../app/lan-server.test-support.js';
import { rawRequest as raw } from './raw-request.test-support.js';

const PASSWORD = LAN_ADMIN_PASSWORD;
const dirs: string[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mna-lan-'));
  dirs.push(dir);
  return dir;
}

const lanServer = (home: string, options: Partial<ServerOptions> = {}) =>
  startLanServer(home, (stop) => stops.push(stop), options);

/** What a plain-HTTP request to `port` gets: an HTTP status, or the socket's error. */
function plainHttp(port: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/auth/session', agent: false });
    req.on('response', (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode ?? 0}`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const login = (url: string) =>
  raw(url, '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ password: PASSWORD }),
  });

describe('the server beyond loopback', () => {
  it('speaks HTTPS only, with the certificate it made, and says its fingerprint', async () => {
    const home = scratch();
    const { server, url } = await lanServer(home);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const tls = server.tls();
    expect(tls?.source).toBe('made');

    const session = await raw(url, '/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.fingerprint).toBe(tls?.fingerprint);
    expect(JSON.parse(session.body)).toMatchObject({
      mode: 'lan',
      network: { transport: 'https', fingerprint: tls?.fingerprint },
    });
    expect(await plainHttp(new URL(url).port)).not.toMatch(/^HTTP /);

    const signedIn = await login(url);
    expect(signedIn.status).toBe(200);
    expect(String(signedIn.headers['set-cookie'])).toMatch(/; Secure/);
    expect(session.headers['strict-transport-security']).toBeUndefined();

    await server.stop();
    const again = await lanServer(home);
    expect(again.server.tls()).toMatchObject({ source: 'kept', fingerprint: tls?.fingerprint });
  });

  it("serves the user's certificate when given one", async () => {
    const dir = scratch();
    const { certPem, keyPem } = createCertificate(['localhost', '127.0.0.1'], new Date());
    writeFileSync(join(dir, 'my.crt'), certPem);
    writeFileSync(join(dir, 'my.key'), keyPem, { mode: 0o600 });
    const { server, url } = await lanServer(join(dir, 'home'), {
      tls: { certFile: join(dir, 'my.crt'), keyFile: join(dir, 'my.key') },
    });
    const answer = await raw(url, '/api/auth/session');
    expect(answer.fingerprint).toBe(new X509Certificate(certPem).fingerprint256);
    expect(server.tls()?.source).toBe('user');
  });

  it('refuses a certificate with the wrong key before listening', async () => {
    const dir = scratch();
    const { certPem } = createCertificate(['localhost', '127.0.0.1'], new Date());
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(dir, 'my.crt'), certPem);
    writeFileSync(join(dir, 'my.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(
      lanServer(join(dir, 'home'), {
        tls: { certFile: join(dir, 'my.crt'), keyFile: join(dir, 'my.key') },
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', details: { field: '--tls-key' } });
  });

  it('speaks plain HTTP only when asked to by name, and says so to the UI', async () => {
    const { server, url } = await lanServer(scratch(), { insecurePlainHttp: true });
    expect(url).toMatch(/^http:\/\//);
    expect(server.tls()).toBeUndefined();
    const session = await raw(url, '/api/auth/session');
    expect(JSON.parse(session.body)).toMatchObject({
      mode: 'lan',
      network: { transport: 'plain-http' },
    });
    expect(String((await login(url)).headers['set-cookie'])).not.toMatch(/Secure/);
  });
});
