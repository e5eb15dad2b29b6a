/**
 * The desktop's side of pairing (issue 21 §2) against a real appliance server (HTTPS on 0.0.0.0,
 * asked on 127.0.0.1): pairing, a machine in the middle with its own certificate, the pin refusing
 * a swapped certificate before anything is sent, and bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { pairWith } from '../../core/remote/pair-with.js';
import { createCertificate } from '../../core/secrets/self-signed.js';
import { startLanServer } from '../../app/lan-server.test-support.js';
import { pinnedPairingNet, pinnedRequest } from './pinned-https.js';

const TOKEN = 'd4'.repeat(32);
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function appliance() {
  const home = mkdtempSync(join(tmpdir(), 'mna-pin-'));
  closers.push(() => rmSync(home, { recursive: true, force: true }));
  const { server, url } = await startLanServer(home, (stop) => closers.push(stop), {
    token: TOKEN,
  });
  const code = async (): Promise<string> => {
    const answer = await pinnedRequest(`${url}/api/devices/pairing-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return (JSON.parse(answer.body) as { code: string }).code;
  };
  return { server, url, code };
}

/** A TLS relay to `upstream` with a certificate of its own; counts what clients sent it. */
async function machineInTheMiddle(upstream: string) {
  const { certPem, keyPem } = createCertificate(['127.0.0.1'], new Date());
  const port = Number(new URL(upstream).port);
  const seen = { bytes: 0 };
  const proxy = createTlsServer({ cert: certPem, key: keyPem }, (client) => {
    const server = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    client.on('data', (chunk: Buffer) => (seen.bytes += chunk.length));
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  return { url: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

describe("the desktop's side of pairing", () => {
  it('pairs, pinning the certificate it saw; the token then works over the pin', async () => {
    const { server, url, code } = await appliance();
    const paired = await pairWith(pinnedPairingNet, {
      address: url,
      code: (await code()).toLowerCase(),
      deviceName: 'Study desktop',
    });
    expect(paired.fingerprint).toBe(server.tls()?.fingerprint);
    expect(paired.address).toBe(url);
    const devices = await pinnedRequest(`${url}/api/devices`, {
      pinned: paired.fingerprint,
      headers: { authorization: `Bearer ${paired.token}` },
    });
    expect(devices.status).toBe(200);
    expect(JSON.parse(devices.body)).toMatchObject({
      devices: [{ id: paired.deviceId, name: 'Study desktop' }],
    });
  });

  it('fails through a machine in the middle, which cannot spend the code', async () => {
    const { url, code } = await appliance();
    const shown = await code();
    const middle = await machineInTheMiddle(url);
    await expect(
      pairWith(pinnedPairingNet, { address: middle.url, code: shown, deviceName: 'Desk' }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/^Pairing refused/) as unknown,
    });
    const direct = await pairWith(pinnedPairingNet, {
      address: url,
      code: shown,
      deviceName: 'Desk',
    });
    expect(direct.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('after pairing, refuses a swapped certificate with both fingerprints, sending nothing', async () => {
    const { url, code } = await appliance();
    const paired = await pairWith(pinnedPairingNet, {
      address: url,
      code: await code(),
      deviceName: 'Desk',
    });
    const middle = await machineInTheMiddle(url);
    let refusal: unknown;
    await pinnedRequest(`${middle.url}/api/devices`, {
      pinned: paired.fingerprint,
      headers: { authorization: `Bearer ${paired.token}` },
    }).catch((error: unknown) => (refusal = error));
    expect(refusal).toMatchObject({ code: 'certificate_changed' });
    const message = (refusal as Error).message;
    expect(message).toContain(`not the one paired (${paired.fingerprint})`);
    expect(message).toMatch(/presents the certificate ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(middle.seen.bytes).toBe(0);
  });

  it('refuses bad input by field, and says when the appliance cannot be reached', async () => {
    await expect(
      pairWith(pinnedPairingNet, {
        address: 'http://127.0.0.1:7420',
        code: 'ABCDE-FGHJK',
        deviceName: 'D',
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', details: { field: 'address' } });
    await expect(
      pairWith(pinnedPairingNet, {
        address: 'https://127.0.0.1:7420',
        code: 'ILOU',
        deviceName: 'D',
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', details: { field: 'code' } });
    const closed = await machineInTheMiddle('https://127.0.0.1:1');
    await closers.pop()?.();
    await expect(
      pairWith(pinnedPairingNet, { address: closed.url, code: 'ABCDE-FGHJK', deviceName: 'D' }),
    ).rejects.toMatchObject({ code: 'appliance_unreachable' });
  });
});
