/**
 * What to run to update, for the way this copy was installed: the same package manager, the same
 * kind of file. Commands are shown, never run: updating the app is the user's call.
 */
import type { AppRelease } from '../../contract/app-release-routes.js';
import { PACKAGE_NAME, type InstallSource } from './install-source.js';
import type { PublishedRelease, ReleaseAsset } from './release-source.js';

export type HowToUpdate = NonNullable<AppRelease['howToUpdate']>;

/** electron-builder's names: `<name>_<version>_amd64.deb`; an AppImage for x64 has no arch. */
const DEB_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armv7l' };

function debAsset(release: PublishedRelease, arch: string): ReleaseAsset | undefined {
  const wanted = `_${DEB_ARCH[arch] ?? arch}.deb`;
  return release.assets.find((a) => a.name.endsWith(wanted));
}

function appImageAsset(release: PublishedRelease, arch: string): ReleaseAsset | undefined {
  const images = release.assets.filter((a) => a.name.endsWith('.AppImage'));
  const tagged = (a: ReleaseAsset) => /-(arm64|armv7l|x86_64|x64)\.AppImage$/.test(a.name);
  if (arch === 'x64')
    return images.find((a) => !tagged(a)) ?? images.find((a) => /x86_64|x64/.test(a.name));
  return images.find((a) => a.name.includes(DEB_ARCH[arch] ?? arch));
}

/** A path as one shell word. */
const quoted = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

const RESTART = 'then restart `medianest-appliance serve` (or its service).';

export function howToUpdate(
  source: InstallSource,
  release: PublishedRelease,
  version: string,
  arch: string,
): HowToUpdate {
  const page = release.url;
  switch (source.kind) {
    case 'desktop':
      return {
        text: 'The desktop app downloads it by itself and offers "Restart to install" in the tray menu.',
        commands: [],
      };
    case 'npm':
      return {
        text: `Installed with npm: update it with npm, ${RESTART}`,
        commands: [`npm i -g ${PACKAGE_NAME}@${version}`],
      };
    case 'deb': {
      const deb = debAsset(release, arch);
      return deb
        ? {
            text: `Installed from a .deb package: download the new one and install it with apt, ${RESTART}`,
            commands: [`curl -fLO ${deb.url}`, `sudo apt install ./${deb.name}`],
          }
        : {
            text: `Installed from a .deb package: download the one for this machine from ${page} and install it with \`sudo apt install ./FILE.deb\`, ${RESTART}`,
            commands: [],
          };
    }
    case 'appimage': {
      const image = appImageAsset(release, arch);
      const file = source.path ?? 'the AppImage';
      // Written beside it and moved over it: overwriting a running AppImage in place breaks it.
      return image && source.path
        ? {
            text: `An AppImage: download the new one and put it in place of ${file}, ${RESTART}`,
            commands: [
              `curl -fL -o ${quoted(`${source.path}.new`)} ${image.url}`,
              `chmod +x ${quoted(`${source.path}.new`)}`,
              `mv ${quoted(`${source.path}.new`)} ${quoted(source.path)}`,
            ],
          }
        : {
            text: `An AppImage: download the new one from ${page} and put it in place of ${file}, ${RESTART}`,
            commands: [],
          };
    }
    case 'checkout':
      return {
        text: `A git checkout: fetch the release and build it, ${RESTART}`,
        commands: [
          `cd ${quoted(source.path ?? '.')}`,
          `git fetch --tags && git checkout ${release.tag}`,
          'npm ci && npm run build',
        ],
      };
    case 'unknown':
      return { text: `Download it from ${page}, ${RESTART}`, commands: [] };
  }
}
