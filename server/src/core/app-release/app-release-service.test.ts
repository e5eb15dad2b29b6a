import { describe, expect, it } from 'vitest';
import { AppReleaseService } from './app-release-service.js';
import type { InstallSource } from './install-source.js';
import type { PublishedRelease, ReleaseSource } from './release-source.js';

const RELEASE: PublishedRelease = {
  tag: 'v0.2.0',
  url: 'https://github.com/medianest/appliance/releases/tag/v0.2.0',
  publishedAt: '2027-01-02T10:00:00Z',
  assets: [
    { name: 'medianest-appliance_0.2.0_amd64.deb', url: 'https://dl.example/a_amd64.deb' },
    { name: 'medianest-appliance_0.2.0_arm64.deb', url: 'https://dl.example/a_arm64.deb' },
    { name: 'MediaNest Appliance-0.2.0.AppImage', url: 'https://dl.example/x64.AppImage' },
    { name: 'MediaNest Appliance-0.2.0-arm64.AppImage', url: 'https://dl.example/arm.AppImage' },
  ],
};

/** A source answering from a script: a release, none (undefined) or a failure (an Error). */
class ScriptedSource implements ReleaseSource {
  readonly location = 'https://api.example/repos/medianest/appliance/releases/latest';
  asked = 0;
  constructor(public answer: PublishedRelease | undefined | Error) {}
  async latest(): Promise<PublishedRelease | undefined> {
    this.asked++;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

function setup(
  options: {
    answer?: PublishedRelease | undefined | Error;
    install?: InstallSource;
    current?: string;
    arch?: string;
    noSource?: boolean;
  } = {},
) {
  const values = new Map<string, unknown>();
  let now = new Date('2027-01-03T12:00:00Z');
  const source = new ScriptedSource('answer' in options ? options.answer : RELEASE);
  const service = new AppReleaseService({
    current: options.current ?? '0.1.0',
    install: options.install ?? { kind: 'npm', path: '/usr/lib/node_modules/medianest-appliance' },
    arch: options.arch ?? 'x64',
    source: options.noSource ? undefined : source,
    ...(options.noSource ? { noSourceReason: 'package.json names no GitHub repository' } : {}),
    settings: { get: (k) => values.get(k), set: (k, v) => void values.set(k, v) },
    now: () => now,
  });
  return { service, source, values, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('the app release check', () => {
  it('offers a newer release with the npm command for an npm install', async () => {
    const { service } = setup();
    expect(service.report()).toMatchObject({ current: '0.1.0', updateAvailable: false });
    const report = await service.check();
    expect(report).toMatchObject({
      current: '0.1.0',
      installedFrom: 'npm',
      updateAvailable: true,
      latest: { version: '0.2.0', tag: 'v0.2.0', url: RELEASE.url },
      checkedAt: '2027-01-03T12:00:00.000Z',
      howToUpdate: { commands: ['npm i -g medianest-appliance@0.2.0'] },
    });
    expect(report.error).toBeUndefined();
  });

  it('says this is the newest when the release is not newer, with nothing to run', async () => {
    const { service } = setup({ current: '0.2.0' });
    const report = await service.check();
    expect(report.updateAvailable).toBe(false);
    expect(report.latest?.version).toBe('0.2.0');
    expect(report.howToUpdate).toBeUndefined();
  });

  it('names the .deb for this architecture, and the AppImage to put in place of the running one', async () => {
    const deb = await setup({ install: { kind: 'deb' }, arch: 'arm64' }).service.check();
    expect(deb.howToUpdate?.commands).toEqual([
      'curl -fLO https://dl.example/a_arm64.deb',
      'sudo apt install ./medianest-appliance_0.2.0_arm64.deb',
    ]);
    const appImage = await setup({
      install: { kind: 'appimage', path: "/home/ann/Apps/Media Nest's.AppImage" },
    }).service.check();
    expect(appImage.howToUpdate?.commands).toEqual([
      `curl -fL -o '/home/ann/Apps/Media Nest'\\''s.AppImage.new' https://dl.example/x64.AppImage`,
      `chmod +x '/home/ann/Apps/Media Nest'\\''s.AppImage.new'`,
      `mv '/home/ann/Apps/Media Nest'\\''s.AppImage.new' '/home/ann/Apps/Media Nest'\\''s.AppImage'`,
    ]);
    const checkout = await setup({
      install: { kind: 'checkout', path: '/srv/appliance' },
    }).service.check();
    expect(checkout.howToUpdate?.commands).toEqual([
      "cd '/srv/appliance'",
      'git fetch --tags && git checkout v0.2.0',
      'npm ci && npm run build',
    ]);
    const desktop = await setup({ install: { kind: 'desktop' } }).service.check();
    expect(desktop.howToUpdate?.commands).toEqual([]);
    expect(desktop.howToUpdate?.text).toContain('"Restart to install" in the tray menu');
  });

  it('offline: says so and keeps the last answer with its age', async () => {
    const { service, source, later } = setup();
    await service.check();
    later(86_400_000);
    source.answer = new Error('api.example not reachable: connection refused');
    const report = await service.check();
    expect(report.error).toEqual({
      message: 'api.example not reachable: connection refused',
      at: '2027-01-04T12:00:00.000Z',
    });
    expect(report.checkedAt).toBe('2027-01-03T12:00:00.000Z');
    expect(report.updateAvailable).toBe(true);
    expect(service.lastCheckAt()?.toISOString()).toBe('2027-01-04T12:00:00.000Z');
    // The next answer clears the failure.
    source.answer = RELEASE;
    expect((await service.check()).error).toBeUndefined();
  });

  it('with no release source, asks nothing and says why', async () => {
    const { service, source } = setup({ noSource: true });
    const report = await service.check();
    expect(source.asked).toBe(0);
    expect(report.source).toBeUndefined();
    expect(report.error?.message).toContain('package.json names no GitHub repository');
  });

  it('refuses a release whose tag is no version, and a nonsense stored value reads as nothing', async () => {
    const { service, values } = setup({ answer: { ...RELEASE, tag: 'nightly' } });
    expect((await service.check()).error?.message).toContain('tag "nightly" is not a version');
    values.set('app.release.state', { latest: { tag: 42 } });
    values.set('app.release.settings', { check: 'yes' });
    expect(service.report()).toMatchObject({
      updateAvailable: false,
      settings: { check: { enabled: true } },
    });
  });

  it('joins a check already under way', async () => {
    const { service, source } = setup();
    await Promise.all([service.check(), service.check()]);
    expect(source.asked).toBe(1);
  });
});
