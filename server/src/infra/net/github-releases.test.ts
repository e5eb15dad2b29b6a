/** The release client against a stand-in for GitHub's API on loopback (never the real GitHub). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeReleases, githubRelease, type FakeReleases } from './fake-releases.test-support.js';
import { GitHubReleases, githubLatestReleaseUrl } from './github-releases.js';

let fake: FakeReleases;
beforeEach(async () => {
  fake = await fakeReleases();
});
afterEach(() => fake.close());

const client = (url = fake.url, timeoutMs = 2000) =>
  new GitHubReleases({ url, userAgent: 'medianest-appliance/0.1.0', timeoutMs });

describe('the latest release from GitHub', () => {
  it('reads the tag, page, date and downloads, asking as GitHub wants', async () => {
    fake.answer = {
      status: 200,
      body: githubRelease('v0.2.0', ['medianest-appliance_0.2.0_amd64.deb', 'latest-linux.yml']),
    };
    expect(await client().latest()).toEqual({
      tag: 'v0.2.0',
      url: 'https://github.com/medianest/appliance/releases/tag/v0.2.0',
      publishedAt: '2027-01-02T10:00:00Z',
      assets: [
        {
          name: 'medianest-appliance_0.2.0_amd64.deb',
          url: 'https://github.com/medianest/appliance/releases/download/v0.2.0/medianest-appliance_0.2.0_amd64.deb',
        },
        {
          name: 'latest-linux.yml',
          url: 'https://github.com/medianest/appliance/releases/download/v0.2.0/latest-linux.yml',
        },
      ],
    });
    expect(fake.requests[0]).toMatchObject({
      'user-agent': 'medianest-appliance/0.1.0',
      accept: 'application/vnd.github+json',
    });
    expect(fake.requests[0]?.authorization).toBeUndefined();
  });

  it('has none when nothing is published (404)', async () => {
    fake.answer = { status: 404, body: { message: 'Not Found' } };
    expect(await client().latest()).toBeUndefined();
  });

  it('says when GitHub rate-limits, and until when', async () => {
    fake.answer = {
      status: 403,
      body: { message: 'API rate limit exceeded' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1798794000' },
    };
    await expect(client().latest()).rejects.toThrow(
      /answered HTTP 403: rate limited until 2027-01-01T09:00:00Z$/,
    );
  });

  it('refuses an answer that is not a release, naming the field', async () => {
    fake.answer = { status: 200, body: { tag_name: 'v1', html_url: 'javascript:alert(1)' } };
    await expect(client().latest()).rejects.toThrow(/not a release \(html_url: /);
    fake.answer = { status: 200, body: '<html>captive portal</html>' };
    await expect(client().latest()).rejects.toThrow(/not JSON/);
  });

  it('offline: a plain reason naming the host, never a stack', async () => {
    const url = fake.url;
    await fake.close();
    const failure = (await client(url)
      .latest()
      .catch((e: unknown) => e)) as Error;
    expect(failure.message).toMatch(/^127\.0\.0\.1:\d+ not reachable: connection refused$/);
  });

  it('gives up after its timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(client(`http://127.0.0.1:${port}/x`, 200).latest()).rejects.toThrow(
        'not reachable: no answer within 200 ms',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("package.json's repository, as the latest-release URL", () => {
  it('takes the forms npm allows for GitHub', () => {
    const api = 'https://api.github.com/repos/medianest/appliance/releases/latest';
    for (const value of [
      'medianest/appliance',
      'github:medianest/appliance',
      'https://github.com/medianest/appliance',
      'git+https://github.com/medianest/appliance.git',
      'git@github.com:medianest/appliance.git',
      { type: 'git', url: 'https://github.com/medianest/appliance.git' },
    ])
      expect(githubLatestReleaseUrl(value), JSON.stringify(value)).toBe(api);
  });

  it('has none for anything else', () => {
    for (const value of [
      undefined,
      42,
      'https://gitlab.com/medianest/appliance',
      'medianest/../../etc',
      'a/b/c',
    ])
      expect(githubLatestReleaseUrl(value), JSON.stringify(value)).toBeUndefined();
  });
});
