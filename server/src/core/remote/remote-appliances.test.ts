import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { ApplianceList, type ListFile, type SecretBox } from './appliance-list.js';
import type { PairingNet } from './pair-with.js';
import {
  RemoteAppliances,
  type ForwardRequest,
  type RemoteTransport,
} from './remote-appliances.js';

const FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':');
const TOKEN = 'the-device-token-0123456789';

/** A list in memory; the box marks what it sealed (its sealing is tested on real files elsewhere). */
function memoryList(): ApplianceList {
  let text: string | undefined;
  const file: ListFile = {
    path: '/home/appliances.json',
    read: () => text,
    write: (t) => (text = t),
  };
  const box: SecretBox = { seal: (p) => `sealed:${p}`, open: (s) => s.replace(/^sealed:/, '') };
  return new ApplianceList({ file, box, now: () => new Date('2026-12-08T12:00:00Z') });
}

function remote(transport: RemoteTransport) {
  const list = memoryList();
  const view = list.add(
    { address: 'https://10.0.0.2:7420', deviceId: 'dev-1', token: TOKEN, fingerprint: FINGERPRINT },
    'NAS',
  );
  const net: PairingNet = {
    fingerprintOf: async () => FINGERPRINT,
    post: async () => ({ status: 500, body: '' }),
  };
  return {
    appliances: new RemoteAppliances({
      list,
      net,
      transport,
      deviceName: () => 'desk',
      findNearby: async () => ({ found: [], interfaces: 0 }),
    }),
    id: view.id,
    list,
  };
}

function recording(status = 200, headers: Record<string, string> = {}) {
  const seen: Array<{ target: { address: string; fingerprint: string }; request: ForwardRequest }> =
    [];
  const transport: RemoteTransport = {
    open: async (target, request) => {
      seen.push({ target, request });
      const body = new PassThrough();
      body.end('{}');
      return { status, headers, body };
    },
  };
  return { transport, seen };
}

describe('RemoteAppliances.forward', () => {
  it('adds the token over the pinned certificate and drops the renderer’s credentials', async () => {
    const { transport, seen } = recording();
    const { appliances, id } = remote(transport);
    await appliances.forward(id, {
      method: 'GET',
      path: '/api/settings?x=1',
      headers: {
        cookie: 'mna_session=abc',
        origin: 'http://127.0.0.1:7420',
        authorization: 'Bearer local',
        accept: 'application/json',
        'last-event-id': 'e-4',
      },
    });
    expect(seen[0]?.target).toEqual({ address: 'https://10.0.0.2:7420', fingerprint: FINGERPRINT });
    expect(seen[0]?.request.path).toBe('/api/settings?x=1');
    expect(seen[0]?.request.headers).toEqual({
      accept: 'application/json',
      'last-event-id': 'e-4',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it('passes back only plain headers: never a cookie of the appliance', async () => {
    const { transport } = recording(200, {
      'content-type': 'application/json',
      'set-cookie': 'mna_session=remote',
      'x-anything': 'no',
      'content-disposition': 'attachment; filename="b.mnbackup"',
    });
    const { appliances, id } = remote(transport);
    const answer = await appliances.forward(id, {
      method: 'GET',
      path: '/api/health',
      headers: {},
    });
    expect(answer.headers).toEqual({
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="b.mnbackup"',
    });
  });

  it('reaches only the appliance’s API', async () => {
    const { transport, seen } = recording();
    const { appliances, id } = remote(transport);
    for (const path of [
      '/',
      '/index.html',
      '/api/../x',
      '/api/%2E%2E/x',
      '/api/a\\b',
      '/api/remote/x/api/health',
      'api/health',
    ]) {
      await expect(
        appliances.forward(id, { method: 'GET', path, headers: {} }),
        path,
      ).rejects.toMatchObject({ code: 'not_found' });
    }
    expect(seen).toHaveLength(0);
    await expect(
      appliances.forward('nope', { method: 'GET', path: '/api/health', headers: {} }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('RemoteAppliances.remove', () => {
  it('revokes this device there, then forgets it here', async () => {
    const { transport, seen } = recording();
    const { appliances, id, list } = remote(transport);
    expect(await appliances.remove(id)).toEqual({ removed: id, revoked: true });
    expect(seen[0]?.request).toMatchObject({ method: 'POST', path: '/api/devices/dev-1/revoke' });
    expect(list.list()).toEqual([]);
  });

  it('forgets it here even when it cannot be reached, and says it was not revoked', async () => {
    const transport: RemoteTransport = {
      open: async () => {
        throw new AppError('appliance_unreachable', 'cannot be reached');
      },
    };
    const { appliances, id, list } = remote(transport);
    expect(await appliances.remove(id)).toEqual({ removed: id, revoked: false });
    expect(list.list()).toEqual([]);
    await expect(appliances.remove(id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
