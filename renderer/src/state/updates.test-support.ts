import type { ServiceUpdate, UpdateRecord, UpdatesReport } from '@contract';

/** Test data for the Updates card: a loopback registry's backend at v1, checked 5 min before NOW. */
export const REPO = '127.0.0.1:5000/medianest/backend';
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const NOW = Date.parse('2026-12-07T12:00:00Z');

export const serviceUpdate = (over: Partial<ServiceUpdate> = {}): ServiceUpdate => ({
  service: 'backend',
  image: `${REPO}:v1`,
  tag: 'v1',
  currentDigest: DIGEST_A,
  present: true,
  localBuild: false,
  newerVersions: [],
  updateAvailable: false,
  pinned: false,
  checkedAt: '2026-12-07T11:55:00Z',
  ...over,
});

export const updatesReport = (services: ServiceUpdate[]): UpdatesReport => ({
  services,
  settings: { check: { enabled: true, everyHours: 24 }, pinned: {}, skipped: {} },
  lastCheckAt: '2026-12-07T11:55:00Z',
});

export const updateRecord = (over: Partial<UpdateRecord> = {}): UpdateRecord => ({
  id: 'r1',
  kind: 'update',
  from: { backend: `${REPO}:v1`, migrate: `${REPO}:v1` },
  to: { backend: `${REPO}:v2`, migrate: `${REPO}:v2` },
  target: 'v2',
  startedAt: '2026-12-07T11:00:00Z',
  durationMs: 80_000,
  snapshotId: 'safety-1',
  result: 'succeeded',
  ...over,
});
