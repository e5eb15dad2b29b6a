import { describe, expect, it } from 'vitest';
import { UpdateSettingsSchema, type UpdatesReport } from '../contract/updates-routes.js';
import { formatUpdates } from './updates-command.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const NOW = new Date('2027-01-10T13:00:00Z');

describe('updates, as the terminal shows it', () => {
  it('lists current and available versions, the age of each answer, failures and labels', () => {
    const report: UpdatesReport = {
      settings: UpdateSettingsSchema.parse({}),
      lastCheckAt: '2027-01-10T13:00:00Z',
      services: [
        {
          service: 'backend',
          image: 'registry.example:5000/medianest/backend:v1',
          tag: 'v1',
          currentDigest: d('1'),
          present: true,
          localBuild: false,
          newDigest: d('2'),
          newerVersions: [{ tag: 'v2', step: 'major' }],
          labels: { 'org.opencontainers.image.version': '2.0.0' },
          updateAvailable: true,
          pinned: false,
          checkedAt: '2027-01-10T10:00:00Z',
          error: {
            message: 'registry registry.example:5000 not reachable: connection refused',
            at: '2027-01-10T13:00:00Z',
          },
        },
        {
          service: 'postgres',
          image: 'postgres:16-alpine',
          tag: '16-alpine',
          present: true,
          localBuild: false,
          currentDigest: d('3'),
          newerVersions: [{ tag: '17-alpine', step: 'major' }],
          updateAvailable: false,
          pinned: true,
          checkedAt: '2027-01-10T10:00:00Z',
        },
      ],
    };
    expect(formatUpdates(report, NOW).split('\n')).toEqual([
      'SERVICE   IMAGE                                       CURRENT                        AVAILABLE                                                         CHECKED',
      'backend   registry.example:5000/medianest/backend:v1  v1 sha256:111111111111         new digest on v1 (sha256:222222222222); newer version v2 (major)  3 h ago',
      'postgres  postgres:16-alpine                          16-alpine sha256:333333333333  pinned (newer version 17-alpine (major))                          3 h ago',
      'backend: registry registry.example:5000 not reachable: connection refused (just now); the answer above is from 3 h ago.',
      'backend, newest available:',
      '  org.opencontainers.image.version: 2.0.0',
      'The server checks every 24 h; last check just now.',
    ]);
  });

  it('refuses a schedule of less than an hour, naming the field', () => {
    const parsed = UpdateSettingsSchema.safeParse({ check: { everyHours: 0 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['check', 'everyHours'],
      message: 'must be at least 1 hour',
    });
  });
});
