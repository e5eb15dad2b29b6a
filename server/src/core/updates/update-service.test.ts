import { describe, expect, it } from 'vitest';
import type { UpdateBecameAvailable } from '../../contract/updates-routes.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import type { ImageReference } from './image-reference.js';
import { UpdateService } from './update-service.js';
import { UPDATE_STATE_KEY, updateStore } from './update-store.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const IMAGE = '127.0.0.1:5000/medianest/backend:v1';

function memorySettings(): SettingsRepository & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  // JSON round trip, as the SQLite table stores it.
  return {
    values,
    get: (key) => {
      const value = values.get(key);
      return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
    },
    set: (key, value) => void values.set(key, value),
  };
}

/** A registry that says what the test sets, or fails like an unreachable one. */
function world() {
  const registry = {
    digest: d('1'),
    tags: ['v1'] as string[] | undefined,
    down: undefined as string | undefined,
    labels: { 'org.opencontainers.image.version': 'v2' } as Record<string, string> | undefined,
  };
  const local = new Map<string, string[]>([
    [IMAGE, [`127.0.0.1:5000/medianest/backend@${d('1')}`]],
  ]);
  const published: UpdateBecameAvailable[] = [];
  const settings = memorySettings();
  let now = new Date('2027-01-10T10:00:00Z');
  const fail = () => {
    if (registry.down) throw new Error(registry.down);
  };
  const service = new UpdateService({
    registry: {
      remoteDigest: async () => (fail(), registry.digest),
      tags: async () => (fail(), registry.tags),
      labels: async (_ref: ImageReference) => registry.labels,
    },
    local: { repoDigests: async (image) => local.get(image) },
    images: async () => [
      { service: 'migrate', image: IMAGE },
      { service: 'backend', image: IMAGE },
    ],
    store: updateStore(settings),
    now: () => now,
    publish: (event) => void published.push(event),
  });
  return {
    registry,
    local,
    published,
    settings,
    service,
    later: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

describe('the update check', () => {
  it('finds nothing new when the registry has the digest pulled and no newer tag', async () => {
    const { service, published } = world();
    const report = await service.check();
    expect(report.services.map((s) => s.service)).toEqual(['migrate', 'backend']);
    expect(report.services[1]).toMatchObject({
      tag: 'v1',
      currentDigest: d('1'),
      present: true,
      newerVersions: [],
      updateAvailable: false,
      checkedAt: '2027-01-10T10:00:00.000Z',
    });
    expect(report.services[1]?.newDigest).toBeUndefined();
    expect(published).toEqual([]);
  });

  it('says a new digest on the same tag and a newer version, with labels, notified once each', async () => {
    const { service, registry, published } = world();
    registry.digest = d('2');
    registry.tags = ['v1', 'v2', 'v2-broken'];
    const report = await service.check();
    expect(report.services[1]).toMatchObject({
      newDigest: d('2'),
      newerVersions: [{ tag: 'v2', step: 'major' }],
      labels: { 'org.opencontainers.image.version': 'v2' },
      updateAvailable: true,
    });
    expect(published.filter((e) => e.service === 'backend')).toEqual([
      {
        type: 'update.became-available',
        service: 'backend',
        image: IMAGE,
        version: d('2'),
        kind: 'digest',
      },
      {
        type: 'update.became-available',
        service: 'backend',
        image: IMAGE,
        version: 'v2',
        kind: 'version',
      },
    ]);
    await service.check();
    expect(published).toHaveLength(4);
    registry.tags = ['v1', 'v2', 'v3'];
    await service.check();
    expect(published.slice(4).map((e) => e.version)).toEqual(['v3', 'v3']);
  });

  it('keeps the last answer with its time when the registry does not answer, and says why', async () => {
    const { service, registry, later } = world();
    registry.tags = ['v1', 'v2'];
    await service.check();
    later(3 * 3_600_000);
    registry.down = 'registry 127.0.0.1:5000 not reachable: connection refused';
    const report = await service.check();
    expect(report.services[1]).toMatchObject({
      newerVersions: [{ tag: 'v2' }],
      checkedAt: '2027-01-10T10:00:00.000Z',
      error: {
        message: 'registry 127.0.0.1:5000 not reachable: connection refused',
        at: '2027-01-10T13:00:00.000Z',
      },
    });
    expect(report.lastCheckAt).toBe('2027-01-10T13:00:00.000Z');
    // Answered again: the error is gone.
    registry.down = undefined;
    expect((await service.check()).services[1]?.error).toBeUndefined();
  });

  it('pins a service (nothing offered, nothing notified) and skips one version only', async () => {
    const { service, registry, published } = world();
    registry.tags = ['v1', 'v2', 'v3'];
    service.pin('backend', true);
    service.pin('migrate', true);
    let report = await service.check();
    expect(report.services.every((s) => s.pinned && !s.updateAvailable)).toBe(true);
    expect(published).toEqual([]);
    service.pin('backend', false);
    service.skip('backend', 'v3');
    report = service.report();
    expect(report.services[1]).toMatchObject({
      pinned: false,
      skipped: 'v3',
      newerVersions: [{ tag: 'v2' }],
      updateAvailable: true,
    });
    service.skip('backend', undefined);
    expect(service.report().services[1]?.newerVersions.map((v) => v.tag)).toEqual(['v2', 'v3']);
    expect(() => service.skip('nobody', 'v2')).toThrow(/No service "nobody"/);
  });

  it('asks no registry about an image built or loaded here', async () => {
    const { service, local, registry } = world();
    local.set(IMAGE, []);
    registry.down = 'must not be asked';
    const report = await service.check();
    expect(report.services[1]).toMatchObject({ localBuild: true, updateAvailable: false });
    expect(report.services[1]?.error).toBeUndefined();
  });

  it('reads a stored state that is not its own shape as no state', () => {
    const { service, settings } = world();
    settings.set(UPDATE_STATE_KEY, { answers: 'garbage' });
    expect(service.report().services).toEqual([]);
    expect(service.report().settings.check).toEqual({ enabled: true, everyHours: 24 });
  });
});

describe('the update check of a local build from a git checkout', () => {
  const BUILT = 'medianest/backend:local-0123456789ab';
  const C1 = 'a'.repeat(40);
  const C2 = 'b'.repeat(40);

  function checkoutWorld() {
    const remote = {
      answer: { behind: 0, newest: C1, subject: '' },
      down: undefined as string | undefined,
    };
    const published: UpdateBecameAvailable[] = [];
    const settings = memorySettings();
    const asked: string[] = [];
    const service = new UpdateService({
      registry: {
        remoteDigest: async () => {
          throw new Error('no registry is asked about a local build');
        },
        tags: async () => {
          throw new Error('no registry is asked about a local build');
        },
        labels: async () => undefined,
      },
      local: {
        repoDigests: async () => [],
        buildCheckout: async () => ({ dir: '/src/medianest', branch: 'develop', commit: C1 }),
      },
      checkouts: {
        newer: async (checkout) => {
          asked.push(`${checkout.dir} ${checkout.branch} ${checkout.commit}`);
          if (remote.down) throw new Error(remote.down);
          return remote.answer;
        },
      },
      images: async () => [{ service: 'backend', image: BUILT }],
      store: updateStore(settings),
      now: () => new Date('2027-01-10T10:00:00Z'),
      publish: (event) => void published.push(event),
    });
    return { remote, published, service, asked };
  }

  it('offers the newer commits of its branch once, and notifies the newest once', async () => {
    const { remote, published, service, asked } = checkoutWorld();
    const first = (await service.check()).services[0];
    expect(asked).toEqual([`/src/medianest develop ${C1}`]);
    expect(first).toMatchObject({
      localBuild: true,
      updateAvailable: false,
      checkout: { dir: '/src/medianest', branch: 'develop', commit: C1, behind: 0 },
    });
    remote.answer = { behind: 2, newest: C2, subject: 'Faster library scans' };
    const second = (await service.check()).services[0];
    expect(second).toMatchObject({
      updateAvailable: true,
      checkout: { behind: 2, newest: C2, subject: 'Faster library scans' },
    });
    await service.check();
    expect(published).toEqual([
      {
        type: 'update.became-available',
        service: 'backend',
        image: BUILT,
        version: C2,
        kind: 'commit',
      },
    ]);
    // Skipping that commit offers nothing until a newer one.
    service.skip('backend', C2);
    expect(service.report().services[0]?.updateAvailable).toBe(false);
  });

  it('keeps the last answer and says why when the remote does not answer', async () => {
    const { remote, service } = checkoutWorld();
    remote.answer = { behind: 1, newest: C2, subject: 'Fix' };
    await service.check();
    remote.down =
      'git could not fetch develop from origin in /src/medianest: Could not resolve host';
    const after = (await service.check()).services[0];
    expect(after).toMatchObject({
      updateAvailable: true,
      checkout: { behind: 1, newest: C2 },
      checkedAt: '2027-01-10T10:00:00.000Z',
      error: { message: remote.down },
    });
  });
});
