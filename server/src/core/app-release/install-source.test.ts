import { describe, expect, it } from 'vitest';
import { installSource, type InstallFacts } from './install-source.js';

const facts = (over: Partial<InstallFacts>, existing: string[] = []): InstallFacts => ({
  electron: false,
  exists: (path) => existing.includes(path),
  ...over,
});

describe('how this copy was installed', () => {
  it('tells the desktop app, an AppImage, npm, a checkout and a .deb apart', () => {
    expect(installSource(facts({ electron: true, appImage: '/a.AppImage' }))).toEqual({
      kind: 'desktop',
    });
    expect(installSource(facts({ appImage: '/home/ann/MediaNest.AppImage' }))).toEqual({
      kind: 'appimage',
      path: '/home/ann/MediaNest.AppImage',
    });
    expect(
      installSource(facts({ packageRoot: '/usr/local/lib/node_modules/medianest-appliance' })),
    ).toEqual({ kind: 'npm', path: '/usr/local/lib/node_modules/medianest-appliance' });
    expect(
      installSource(facts({ packageRoot: '/srv/appliance' }, ['/srv/appliance/.git'])),
    ).toEqual({ kind: 'checkout', path: '/srv/appliance' });
    expect(
      installSource(
        facts({ packageRoot: '/opt/MediaNest Appliance/resources/app' }, [
          '/var/lib/dpkg/info/medianest-appliance.list',
        ]),
      ),
    ).toMatchObject({ kind: 'deb' });
  });

  it('is unknown without a sign: a copy in a folder of its own, or no package.json found', () => {
    expect(installSource(facts({ packageRoot: '/srv/appliance' }))).toEqual({ kind: 'unknown' });
    expect(installSource(facts({}))).toEqual({ kind: 'unknown' });
  });
});
