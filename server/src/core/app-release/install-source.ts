/**
 * How this copy of the app was installed, read from where it runs: an update is installed the same
 * way (npm, apt, a new AppImage, git), so that is what the app tells the user to do.
 */
import type { InstallKind } from '../../contract/app-release-routes.js';

export const PACKAGE_NAME = 'medianest-appliance';

/** What tells one installation from another; gathered by the composition (app/app-release.ts). */
export interface InstallFacts {
  /** Running inside Electron. */
  electron: boolean;
  /** `$APPIMAGE`: the AppImage file this runs from (its runtime sets it). */
  appImage?: string;
  /** The real path of the folder holding the app's package.json. */
  packageRoot?: string;
  exists: (path: string) => boolean;
}

export interface InstallSource {
  kind: InstallKind;
  /** The AppImage file; the checkout's folder; the npm package's folder. */
  path?: string;
}

/** dpkg's list of the files of an installed package. */
const DPKG_LIST = `/var/lib/dpkg/info/${PACKAGE_NAME}.list`;

export function installSource(facts: InstallFacts): InstallSource {
  if (facts.electron) return { kind: 'desktop' };
  if (facts.appImage) return { kind: 'appimage', path: facts.appImage };
  const root = facts.packageRoot;
  if (root === undefined) return { kind: 'unknown' };
  const parts = root.split(/[\\/]+/).filter(Boolean);
  // `npm i -g` of the published package puts its files there; of a folder, only a link to it, so
  // the real path is that folder (a checkout, below).
  if (parts.at(-1) === PACKAGE_NAME && parts.at(-2) === 'node_modules')
    return { kind: 'npm', path: root };
  if (facts.exists(`${root}/.git`)) return { kind: 'checkout', path: root };
  if (root.startsWith('/opt/') && facts.exists(DPKG_LIST)) return { kind: 'deb', path: root };
  return { kind: 'unknown' };
}
