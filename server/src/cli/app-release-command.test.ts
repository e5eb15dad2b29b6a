/**
 * `app-release` as a user runs it, against a stand-in for GitHub's API on loopback named by
 * MEDIANEST_APPLIANCE_RELEASES_URL: the newer release and what to run, offline, the off switch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppRelease } from '../contract/app-release-routes.js';
import {
  fakeReleases,
  githubRelease,
  type FakeReleases,
} from '../infra/net/fake-releases.test-support.js';
import { formatAppRelease } from './app-release-command.js';
import { runCaptured } from './run-cli.test-support.js';

let home: string;
let fake: FakeReleases;
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mna-cli-release-'));
  fake = await fakeReleases();
});
afterEach(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  runCaptured(['app-release', '--home', home, ...args], {
    MEDIANEST_APPLIANCE_RELEASES_URL: fake.url,
  });

describe('medianest-appliance app-release', () => {
  it('--check: the newer release, then the same answer without asking again', async () => {
    fake.answer = { status: 200, body: githubRelease('v999.0.0') };
    const checked = await run('--check');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('A newer release is out: 999.0.0, published 2027-01-02');
    expect(checked.stdout).toContain(
      'https://github.com/medianest/appliance/releases/tag/v999.0.0',
    );
    const again = await run('--json');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as AppRelease).latest?.version).toBe('999.0.0');
    expect(fake.requests).toHaveLength(1);
  });

  it('offline: exit 1, saying so and how old the last answer is', async () => {
    const url = fake.url;
    await fake.close();
    const result = await runCaptured(['app-release', '--home', home, '--check'], {
      MEDIANEST_APPLIANCE_RELEASES_URL: url,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /The last check could not tell: 127\.0\.0\.1:\d+ not reachable: connection refused \(just now\); no earlier answer\./,
    );
  });

  it('auto off and on: the server daily check, said in the output', async () => {
    expect((await run('auto', 'off')).stdout).toContain('`app-release auto on` turns that on');
    expect((await run()).stdout).toContain('does not check by itself');
    expect((await run('auto', 'on')).stdout).toContain('The server checks once a day');
    const bad = await run('auto', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('app-release auto takes on or off');
  });

  it('refuses a releases URL that is not http(s), naming the variable', async () => {
    const result = await runCaptured(['app-release', '--home', home, '--check'], {
      MEDIANEST_APPLIANCE_RELEASES_URL: 'file:///etc/passwd',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'MEDIANEST_APPLIANCE_RELEASES_URL: must be an http or https URL',
    );
  });
});

describe('app-release, as the terminal shows it', () => {
  it('lists this version, the newer one, and the commands to run', () => {
    const report: AppRelease = {
      current: '0.1.0',
      installedFrom: 'npm',
      source: 'https://api.github.com/repos/medianest/appliance/releases/latest',
      latest: {
        version: '0.2.0',
        tag: 'v0.2.0',
        url: 'https://github.com/medianest/appliance/releases/tag/v0.2.0',
        publishedAt: '2027-01-02T10:00:00Z',
      },
      updateAvailable: true,
      howToUpdate: {
        text: 'Installed with npm: update it with npm, then restart `medianest-appliance serve` (or its service).',
        commands: ['npm i -g medianest-appliance@0.2.0'],
      },
      checkedAt: '2027-01-03T09:00:00Z',
      settings: { check: { enabled: true } },
    };
    expect(formatAppRelease(report, new Date('2027-01-03T12:00:00Z')).split('\n')).toEqual([
      'MediaNest Appliance 0.1.0 (installed with npm).',
      'A newer release is out: 0.2.0, published 2027-01-02 (checked 3 h ago): https://github.com/medianest/appliance/releases/tag/v0.2.0',
      'Installed with npm: update it with npm, then restart `medianest-appliance serve` (or its service).',
      '  npm i -g medianest-appliance@0.2.0',
      'The server checks once a day; `app-release auto off` turns that off.',
    ]);
  });
});
