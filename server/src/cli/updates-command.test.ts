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

  it('shows a local build from a checkout by its branch and commit, its newer commits, and how to take them', () => {
    const report: UpdatesReport = {
      settings: UpdateSettingsSchema.parse({}),
      services: [
        {
          service: 'frontend',
          image: 'medianest/frontend:local-0123456789ab',
          tag: 'local-0123456789ab',
          present: true,
          localBuild: true,
          newerVersions: [],
          checkout: {
            dir: '/home/me/medianest',
            branch: 'develop',
            commit: 'a'.repeat(40),
            behind: 3,
            newest: 'b'.repeat(40),
            subject: 'Faster library scans',
          },
          updateAvailable: true,
          pinned: false,
          checkedAt: '2027-01-10T12:00:00Z',
        },
      ],
    };
    const lines = formatUpdates(report, NOW).split('\n');
    expect(lines[1]).toMatch(
      /^frontend .* local-0123456789ab \(built here from develop aaaaaaaaaaaa\)\s+3 newer commits on develop \(bbbbbbbbbbbb Faster library scans\)\s+1 h ago$/,
    );
    expect(lines[2]).toBe(
      'frontend: to take the newer commits, pull them in /home/me/medianest (git pull), rebuild (medianest-appliance images build /home/me/medianest) and update to the new image (medianest-appliance update frontend --to <its tag>).',
    );
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
