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
