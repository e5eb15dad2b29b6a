import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  UpdateSettingsSchema,
  type ServiceUpdate,
  type UpdatesReport,
} from '../../server/src/contract/updates-routes.js';
import { followStackUpdates, offeredUpdates } from './stack-updates.js';

const service = (over: Partial<ServiceUpdate> & { service: string }): ServiceUpdate => ({
  image: `registry.example/medianest/${over.service}:v1`,
  tag: 'v1',
  present: true,
  localBuild: false,
  newerVersions: [],
  updateAvailable: false,
  pinned: false,
  ...over,
});

const report = (...services: ServiceUpdate[]): UpdatesReport => ({
  services,
  settings: UpdateSettingsSchema.parse({}),
});

const BACKEND_V2 = service({
  service: 'backend',
  newerVersions: [
    { tag: 'v2', step: 'major' },
    { tag: 'v3', step: 'major' },
  ],
  updateAvailable: true,
});

const became = (version: string, kind: 'version' | 'digest' = 'version') =>
  ({
    type: 'update.became-available',
    service: 'backend',
    image: 'registry.example/medianest/backend:v1',
    version,
    kind,
  }) as const;

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(first: UpdatesReport = report()) {
  let current = first;
  const shown: string[][] = [];
  const notify = vi.fn();
  const log = vi.fn();
  const follower = followStackUpdates({
    report: async () => current,
    show: (updates) => shown.push(updates),
    notify,
    log,
  });
  return { follower, shown, notify, log, set: (next: UpdatesReport) => (current = next) };
}

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

describe('stack updates in the tray and notifications', () => {
  it('offers the newest newer tag per service, or the new build of the same tag; never a pinned one', () => {
    expect(
      offeredUpdates(
        report(
          BACKEND_V2,
          service({
            service: 'redis',
            tag: '7-alpine',
            newDigest: `sha256:${'b'.repeat(64)}`,
            updateAvailable: true,
          }),
          service({
            service: 'postgres',
            newerVersions: [{ tag: '17', step: 'major' }],
            pinned: true,
          }),
          service({
            service: 'frontend',
            localBuild: true,
            checkout: {
              dir: '/src/medianest',
              branch: 'develop',
              commit: 'a1',
              behind: 3,
              newest: 'b2',
            },
            updateAvailable: true,
          }),
        ),
      ),
    ).toEqual([
      'backend v3',
      'redis: a new build of 7-alpine',
      'frontend: 3 newer commits on develop',
    ]);
  });

  it('shows what is on offer at start', async () => {
    const { follower, shown } = setup(report(BACKEND_V2));
    stops.push(follower.stop);
    await follower.refresh();
    expect(shown.at(-1)).toEqual(['backend v3']);
  });

  it('notifies once per version, naming the service and version, and refreshes the tray', async () => {
    const { follower, shown, notify, set } = setup();
    stops.push(follower.stop);
    set(report(BACKEND_V2));
    follower.handle(became('v3'));
    follower.handle(became('v3'));
    await flush();
    expect(notify).toHaveBeenCalledOnce();
    expect(notify).toHaveBeenCalledWith(
      'Update available: backend v3',
      expect.stringContaining('registry.example/medianest/backend:v1 has a newer version, v3'),
    );
    expect(shown.at(-1)).toEqual(['backend v3']);
    follower.handle(became(`sha256:${'c'.repeat(64)}`, 'digest'));
    expect(notify).toHaveBeenCalledTimes(2);
    expect(notify).toHaveBeenLastCalledWith(
      'Update available: backend',
      expect.stringContaining('was rebuilt (sha256:cccccccccccc)'),
    );
  });

  it('drops the entry once a finished job (the update) leaves nothing on offer', async () => {
    const { follower, shown, set } = setup(report(BACKEND_V2));
    stops.push(follower.stop);
    await follower.refresh();
    set(report(service({ service: 'backend', tag: 'v3' })));
    follower.handle({ type: 'job.finished', jobId: 'j1', kind: 'update', outcome: 'succeeded' });
    await flush();
    expect(shown.at(-1)).toEqual([]);
  });

  it('logs a report it cannot read and keeps what the tray shows', async () => {
    const log = vi.fn();
    const show = vi.fn();
    const follower = followStackUpdates({
      report: async () => Promise.reject(new Error('server stopping')),
      show,
      notify: vi.fn(),
      log,
    });
    stops.push(follower.stop);
    await follower.refresh();
    expect(show).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('server stopping'));
  });

  it('reads the offer again now and then, for pins and skips made in the UI', async () => {
    vi.useFakeTimers();
    try {
      let reads = 0;
      const follower = followStackUpdates({
        report: async () => (reads++, report()),
        show: () => undefined,
        notify: () => undefined,
        log: () => undefined,
        refreshEveryMs: 1000,
      });
      await vi.advanceTimersByTimeAsync(3000);
      expect(reads).toBe(3);
      follower.stop();
      await vi.advanceTimersByTimeAsync(3000);
      expect(reads).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
