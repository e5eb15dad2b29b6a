/**
 * Pairing a device with an appliance (issue 21 §2), the appliance's side, on a real HTTPS server
 * on 0.0.0.0 asked on 127.0.0.1: end to end; wrong, expired and reused codes; a machine in the
 * middle with its own certificate; revocation closing an open event stream at once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { pairingProof } from '../core/auth/pairing.js';
import { createCertificate } from '../core/secrets/self-signed.js';
import { startLanServer } from '../app/lan-server.test-support.js';
import { rawRequest as raw, type RawAnswer } from './raw-request.test-support.js';

const TOKEN = 'c3'.repeat(32);
const JSON_TYPE = { 'content-type': 'application/json' };
const dirs: string[] = [];
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function appliance(options: { now?: () => number; plain?: boolean } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'mna-pair-'));
  dirs.push(home);
  return startLanServer(home, (stop) => closers.push(stop), {
    token: TOKEN,
    ...(options.now ? { now: options.now } : {}),
    ...(options.plain ? { insecurePlainHttp: true } : {}),
  });
}

const asAdmin = { authorization: `Bearer ${TOKEN}` };
const json = <T>(answer: RawAnswer): T => JSON.parse(answer.body) as T;

async function newCode(url: string): Promise<{ code: string; fingerprint: string }> {
  const answer = await raw(url, '/api/devices/pairing-code', {
    method: 'POST',
    headers: { ...asAdmin, ...JSON_TYPE },
    body: '{}',
  });
  expect(answer.status).toBe(200);
  return json(answer);
}

/** The device's side: the fingerprint it sees on its own connection, its proof of `code`. */
async function pairAs(url: string, code: string, deviceName = 'Desk') {
  const seen = (await raw(url, '/api/health')).fingerprint ?? '';
  const nonce = randomBytes(32).toString('hex');
  const proof = pairingProof('device', code, { fingerprint: seen, nonce, deviceName });
  const answer = await raw(url, '/api/pair', {
    method: 'POST',
    headers: JSON_TYPE,
    body: JSON.stringify({ deviceName, nonce, proof }),
  });
  return { answer, seen, nonce };
}

/** An open `GET /api/events` with `token`: its text so far, and how it ended. */
function openStream(url: string, token: string) {
  const state = { text: '', ended: false };
  const target = new URL('/api/events', url);
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      headers: { authorization: `Bearer ${token}` },
      rejectUnauthorized: false,
      agent: false,
    },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (state.text += chunk));
      res.on('end', () => (state.ended = true));
      res.on('close', () => (state.ended = true));
    },
  );
  req.on('error', () => (state.ended = true));
  req.end();
  closers.push(() => void req.destroy());
  return state;
}

const until = async (test: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('pairing a device with the appliance', () => {
  it('pairs with the code over the certificate the device sees; the token then works', async () => {
    const { server, url } = await appliance();
    const { code, fingerprint } = await newCode(url);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(fingerprint).toBe(server.tls()?.fingerprint);

    const { answer, seen, nonce } = await pairAs(url, code.toLowerCase());
    expect(seen).toBe(fingerprint);
    expect(answer.status).toBe(200);
    const paired = json<{ deviceId: string; token: string; applianceProof: string }>(answer);
    // The device checks that the appliance knew the code too.
    expect(paired.applianceProof).toBe(
      pairingProof('appliance', code, {
        fingerprint: seen,
        nonce,
        deviceName: 'Desk',
        token: paired.token,
      }),
    );
    const asDevice = { authorization: `Bearer ${paired.token}` };
    const session = json<{ signedIn: boolean; via: string }>(
      await raw(url, '/api/auth/session', { headers: asDevice }),
    );
    expect(session).toMatchObject({ signedIn: true, via: 'device' });
    const listed = json<{ devices: Array<Record<string, string>> }>(
      await raw(url, '/api/devices', { headers: asDevice }),
    );
    expect(listed.devices).toEqual([
      {
        id: paired.deviceId,
        name: 'Desk',
        pairedAt: expect.any(String) as unknown,
        lastSeenAt: expect.any(String) as unknown,
        lastAddress: '127.0.0.1',
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(paired.token);

    // The code worked once.
    expect((await pairAs(url, code, 'Laptop')).answer.status).toBe(401);
  });

  it('refuses a wrong code, then rate-limits the address; an expired code is refused', async () => {
    let now = Date.now();
    const { url } = await appliance({ now: () => now });
    const { code } = await newCode(url);
    now += 11 * 60_000;
    const expired = await pairAs(url, code);
    expect(expired.answer.status).toBe(401);
    expect(json<{ error: { message: string } }>(expired.answer).error.message).toMatch(
      /wrong, expired or already used.*Nothing was paired/,
    );
    await newCode(url);
    for (let i = 0; i < 4; i++) expect((await pairAs(url, 'AAAAA-AAAAA')).answer.status).toBe(401);
    const limited = await pairAs(url, 'AAAAA-AAAAA');
    expect(limited.answer.status).toBe(429);
  });

  it('refuses a pairing relayed by a machine in the middle with its own certificate', async () => {
    const { url } = await appliance();
    const { code } = await newCode(url);
    const { certPem, keyPem } = createCertificate(['127.0.0.1'], new Date());
    const upstream = new URL(url);
    // Terminates TLS with its own certificate and relays every byte to the appliance.
    const proxy = createTlsServer({ cert: certPem, key: keyPem }, (client) => {
      const server = connect({
        host: '127.0.0.1',
        port: Number(upstream.port),
        rejectUnauthorized: false,
      });
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const through = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const relayed = await pairAs(through, code);
    expect(relayed.seen).not.toBe((await raw(url, '/api/health')).fingerprint);
    expect(relayed.answer.status).toBe(401);
    // The code was not spent by the attempt: the real appliance still pairs with it.
    expect((await pairAs(url, code)).answer.status).toBe(200);
  });

  it('revoking a device refuses its token at once and closes its open event stream', async () => {
    const { url } = await appliance();
    const { code } = await newCode(url);
    const paired = json<{ deviceId: string; token: string }>((await pairAs(url, code)).answer);
    const stream = openStream(url, paired.token);
    await until(() => stream.text.includes(': connected'));

    const revoked = await raw(url, `/api/devices/${paired.deviceId}/revoke`, {
      method: 'POST',
      headers: { ...asAdmin, ...JSON_TYPE },
      body: '{}',
    });
    expect(json(revoked)).toEqual({ revoked: paired.deviceId });
    await until(() => stream.ended);
    expect(stream.text).toContain('"reason":"revoked"');
    const after = await raw(url, '/api/devices', {
      headers: { authorization: `Bearer ${paired.token}` },
    });
    expect(after.status).toBe(401);
  });

  it('is refused over plain HTTP: there is no certificate to bind the code to', async () => {
    const { url } = await appliance({ plain: true });
    const answer = await raw(url, '/api/devices/pairing-code', {
      method: 'POST',
      headers: { ...asAdmin, ...JSON_TYPE },
      body: '{}',
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toContain('needs the appliance served over HTTPS');
  });
});
