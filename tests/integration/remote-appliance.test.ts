/**
 * The desktop manages a NAS (issue 21 §2-3, §5): two real `serve` processes on loopback, a "NAS"
 * beyond loopback with HTTPS and a "desktop" whose renderer-facing API pairs with it and proxies
 * it. Neither needs the engine: what an engine-less appliance answers is what the proxy must pass on.
 */
import { createServer as createTlsServer, connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteName } from '../../server/src/contract/routes.js';
import { createCertificate } from '../../server/src/core/secrets/self-signed.js';
import { keyFileBox } from '../../server/src/infra/fs/key-file-box.js';
import { freeHttpPort } from './support/ports.js';
import { request, type HttpResponse } from './support/http.js';
import {
  buildCli,
  readServeFile,
  ServeProcesses,
  type ServedProcess,
} from './security/serve-process.js';

const PASSWORD = 'the NAS admin password';
const processes = new ServeProcesses();
const closers: Array<() => Promise<void> | void> = [];

beforeAll(buildCli, 180_000);
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await processes.cleanup();
});
afterAll(() => processes.cleanup());

async function startNas(
  port = 0,
  procs = processes,
): Promise<ServedProcess & { fingerprint: string }> {
  const home = procs.newHome();
  const nas = await procs.start(home, ['--host', '0.0.0.0', '--port', String(port)], {
    MEDIANEST_ADMIN_PASSWORD: PASSWORD,
  });
  const { fingerprint } = readServeFile(home) as unknown as { fingerprint: string };
  return { ...nas, fingerprint };
}

/** The NAS's admin asks for a pairing code (with its own token). */
async function pairingCode(nas: ServedProcess): Promise<string> {
  const res = await request(`${nas.url}/api/devices/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${nas.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  return res.json<{ code: string }>().code;
}

/** The renderer's request to the desktop's server (its token, as the Electron shell gives it). */
function desk(
  desktop: ServedProcess,
  path: string,
  init: { method?: string; body?: unknown; raw?: Buffer } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${desktop.token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.raw) headers['content-type'] = 'application/octet-stream';
  return request(`${desktop.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.raw ? { body: init.raw } : {}),
  });
}

interface Paired {
  nas: ServedProcess & { fingerprint: string };
  desktop: ServedProcess;
  id: string;
  /** The device token as the desktop sealed it (read here only to prove it never leaks). */
  token: string;
  /** The pairing code spent. */
  code: string;
}

async function paired(nasPort = 0, procs = processes): Promise<Paired> {
  const nas = await startNas(nasPort, procs);
  const desktop = await procs.start();
  const code = await pairingCode(nas);
  const added = await desk(desktop, '/api/appliances', {
    method: 'POST',
    body: { address: nas.url, code: code.toLowerCase(), name: 'Attic NAS' },
  });
  expect(added.status, added.body.toString()).toBe(200);
  const view = added.json<{ id: string; fingerprint: string; name: string }>();
  expect(view).toMatchObject({ name: 'Attic NAS', fingerprint: nas.fingerprint });
  const list = JSON.parse(readFileSync(join(desktop.home, 'appliances.json'), 'utf8')) as {
    appliances: Array<{ sealedToken: string }>;
  };
  const sealed = list.appliances[0]?.sealedToken ?? '';
  const token = keyFileBox(join(desktop.home, 'remote.key')).open(sealed);
  return { nas, desktop, id: view.id, token, code };
}

/** Nothing the renderer receives carries the device token. */
function expectNoToken(res: HttpResponse, token: string): void {
  expect(res.body.toString()).not.toContain(token);
  expect(JSON.stringify(res.headers)).not.toContain(token);
  expect(res.headers['set-cookie']).toBeUndefined();
}

/** Opens an SSE stream on the desktop; collects its text until closed. */
function openStream(desktop: ServedProcess, path: string) {
  let text = '';
  let ended = false;
  const req = http.get(`${desktop.url}${path}`, {
    headers: { authorization: `Bearer ${desktop.token}`, accept: 'text/event-stream' },
  });
  const opened = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  closers.push(() => void req.destroy());
  return { opened, text: () => text, ended: () => ended };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TLS relay to `port` on loopback with a certificate of its own, listening on `listenPort`. */
async function relay(port: number, listenPort = 0): Promise<string> {
  const { certPem, keyPem } = createCertificate(['127.0.0.1'], new Date());
  const server = createTlsServer({ cert: certPem, key: keyPem }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a desktop paired with a NAS', () => {
  it('pairs with the code the NAS shows, and the NAS lists the desktop as a device', async () => {
    const { nas, desktop, token, code: spent } = await paired();
    const devices = await request(`${nas.url}/api/devices`, {
      headers: { authorization: `Bearer ${nas.token}` },
    });
    expect(devices.json<{ devices: Array<{ name: string }> }>().devices).toHaveLength(1);
    const list = await desk(desktop, '/api/appliances');
    expect(list.status).toBe(200);
    expectNoToken(list, token);
    // The code was spent: pairing with it again is refused, and so is a wrong one.
    const reused = await desk(desktop, '/api/appliances', {
      method: 'POST',
      body: { address: nas.url, code: spent },
    });
    expect(reused.status).toBe(401);
    const code = await pairingCode(nas);
    const wrong = await desk(desktop, '/api/appliances', {
      method: 'POST',
      body: { address: nas.url, code: code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toMatch(/refused/i);
  });

  it('refuses bad input by field', async () => {
    const desktop = await processes.start();
    const plain = await desk(desktop, '/api/appliances', {
      method: 'POST',
      body: { address: 'http://127.0.0.1:7420', code: 'ABCDE-FGHJK' },
    });
    expect(plain.status).toBe(422);
    expect(plain.json<{ error: { details: { field: string } } }>().error.details.field).toBe(
      'address',
    );
    const noCode = await desk(desktop, '/api/appliances', {
      method: 'POST',
      body: { address: 'https://127.0.0.1:7420', code: '' },
    });
    expect(noCode.status).toBe(422);
    expect(noCode.body.toString()).toContain('code');
  });

  it('cannot pair through a machine in the middle with its own certificate', async () => {
    const nas = await startNas();
    const desktop = await processes.start();
    const middle = await relay(Number(new URL(nas.url).port));
    const res = await desk(desktop, '/api/appliances', {
      method: 'POST',
      body: { address: middle, code: await pairingCode(nas) },
    });
    expect(res.status).toBe(401);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^Pairing refused/);
    const list = await desk(desktop, '/api/appliances');
    expect(list.json<{ appliances: unknown[] }>().appliances).toEqual([]);
  });

  it('passes state changes and a raw upload on, and the event stream back', async () => {
    const { nas, desktop, id, token } = await paired();
    const stream = openStream(desktop, `/api/remote/${id}/api/events`);
    expect(await stream.opened).toBe(200);
    // A JSON POST: a backup job on the engine-less NAS, which fails; its events come back.
    const started = await desk(desktop, `/api/remote/${id}/api/backups`, {
      method: 'POST',
      body: {},
    });
    expect([200, 202], started.body.toString()).toContain(started.status);
    await until('the job to finish on the proxied stream', () =>
      stream.text().includes('"type":"job.finished"'),
    );
    expect(stream.text()).not.toContain(token);
    // A raw body streams through: the NAS keeps every byte of it as an upload.
    const bytes = Buffer.from('not a backup at all, but bytes all the same');
    const upload = await desk(desktop, `/api/remote/${id}/api/backups/upload`, {
      method: 'PUT',
      raw: bytes,
    });
    expect(upload.status, upload.body.toString()).toBe(201);
    expect(upload.json<{ size: number }>().size).toBe(bytes.length);
    // The NAS itself saw the job the desktop started.
    const jobs = await request(`${nas.url}/api/jobs`, {
      headers: { authorization: `Bearer ${nas.token}` },
    });
    expect(jobs.body.toString()).toContain('backup');
  });

  it('reaches only the NAS API: no pages, no way out of /api', async () => {
    const { desktop, id } = await paired();
    for (const path of ['/', '/index.html', '/api/../index.html', '/api/%2e%2e/x']) {
      const res = await desk(desktop, `/api/remote/${id}${path}`);
      expect(res.status, path).toBe(404);
    }
    const unknown = await desk(desktop, '/api/remote/nope/api/health');
    expect(unknown.status).toBe(404);
  });

  it('revoked on the NAS: the open stream closes, requests are refused, the state is unknown', async () => {
    const { nas, desktop, id } = await paired();
    const stream = openStream(desktop, `/api/remote/${id}/api/events`);
    expect(await stream.opened).toBe(200);
    const devices = await request(`${nas.url}/api/devices`, {
      headers: { authorization: `Bearer ${nas.token}` },
    });
    const deviceId = devices.json<{ devices: Array<{ id: string }> }>().devices[0]?.id ?? '';
    const revoked = await request(`${nas.url}/api/devices/${deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nas.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    await until('the proxied stream to close', () => stream.ended());
    expect(stream.text()).toContain('"reason":"revoked"');
    const refused = await desk(desktop, `/api/remote/${id}/api/settings`);
    expect(refused.status).toBe(401);
    await until('the desktop to show it unknown', async () => {
      const list = await desk(desktop, '/api/appliances');
      const [appliance] = list.json<{ appliances: Array<{ state: string; problem?: string }> }>()
        .appliances;
      return appliance?.state === 'unknown' && /pair it again/.test(appliance.problem ?? '');
    });
  });

  it('after pairing, refuses a NAS that shows another certificate, naming both', async () => {
    const port = await freeHttpPort();
    const { nas, desktop, id } = await paired(port);
    nas.child.kill('SIGTERM');
    await nas.exited;
    // Another certificate at the paired address, in front of a NAS that moved.
    const moved = await startNas();
    await relay(Number(new URL(moved.url).port), port);
    const res = await desk(desktop, `/api/remote/${id}/api/settings`);
    expect(res.status).toBe(502);
    const error = res.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('certificate_changed');
    expect(error.message).toContain(nas.fingerprint);
    expect(error.message).toMatch(/pair this device again/);
  });

  it('a NAS that stops is unknown, not down, with its reason, and raises no alert here', async () => {
    const { nas, desktop, id } = await paired();
    const stream = openStream(desktop, '/api/events');
    expect(await stream.opened).toBe(200);
    nas.child.kill('SIGTERM');
    await nas.exited;
    await until('the desktop to show it unreachable', async () => {
      const list = await desk(desktop, '/api/appliances');
      const [appliance] = list.json<{
        appliances: Array<{ state: string; problem?: string }>;
      }>().appliances;
      return (
        appliance?.state === 'unknown' && /cannot be reached|ended/.test(appliance.problem ?? '')
      );
    });
    await until(
      'the tray to say so',
      () =>
        stream.text().includes('"type":"tray.overall"') && stream.text().includes('not reachable'),
    );
    const proxied = await desk(desktop, `/api/remote/${id}/api/settings`);
    expect(proxied.status).toBe(502);
    expect(proxied.json<{ error: { code: string } }>().error.code).toBe('appliance_unreachable');
    expect(stream.text()).not.toContain('"type":"alert.raised"');
    expect(stream.text()).not.toMatch(/"state":"down"/);
  });

  it('forgets an appliance, revoking this desktop on the NAS', async () => {
    const { nas, desktop, id } = await paired();
    const removed = await desk(desktop, `/api/appliances/${id}/remove`, {
      method: 'POST',
      body: {},
    });
    expect(removed.json()).toEqual({ removed: id, revoked: true });
    const devices = await request(`${nas.url}/api/devices`, {
      headers: { authorization: `Bearer ${nas.token}` },
    });
    expect(devices.json<{ devices: unknown[] }>().devices).toEqual([]);
    const gone = await desk(desktop, `/api/remote/${id}/api/settings`);
    expect(gone.status).toBe(404);
  });
});

/** An answer with its times and figures levelled, to compare two taken a moment apart. */
const steady = (text: string): string =>
  text.replace(/"\d{4}-\d{2}-\d{2}T[^"]*"/g, '"<time>"').replace(/:-?\d+(\.\d+)?/g, ':0');

/** The GET routes without path parameters, by their group (`/api/<group>/...`). */
const GET_GROUPS = new Map<string, RouteName[]>();
for (const name of Object.keys(routes) as RouteName[]) {
  const route = routes[name];
  if (route.method !== 'GET' || route.path.includes(':')) continue;
  const group = route.path.split('/')[2] ?? '';
  GET_GROUPS.set(group, [...(GET_GROUPS.get(group) ?? []), name]);
}

describe('the proxy answers each route group of the NAS as the NAS answers it directly', () => {
  const shared = new ServeProcesses();
  let pair: Promise<Paired> | undefined;
  afterAll(() => shared.cleanup());

  it('covers the groups of the route table', () => {
    expect(GET_GROUPS.size).toBeGreaterThan(10);
  });

  it.each([...GET_GROUPS.keys()])('/api/%s', async (group) => {
    pair ??= paired(0, shared);
    const { nas, desktop, id, token } = await pair;
    for (const name of GET_GROUPS.get(group) ?? []) {
      const path = routes[name].path;
      const direct = await request(`${nas.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const proxied = await desk(desktop, `/api/remote/${id}${path}`);
      expect(proxied.status, path).toBe(direct.status);
      expect(proxied.headers['content-type'], path).toBe(direct.headers['content-type']);
      if (direct.status >= 400) {
        expect(proxied.json<{ error: { code: string } }>().error.code, path).toBe(
          direct.json<{ error: { code: string } }>().error.code,
        );
      } else {
        // The same answer, but for what moves with the clock (times, uptimes, samples).
        expect(steady(proxied.body.toString()), path).toBe(steady(direct.body.toString()));
      }
      expectNoToken(proxied, token);
    }
  });
});
