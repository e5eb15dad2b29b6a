import type { HostOs, OsRelease } from './install-plan.js';

export const release = (id: string, idLike: string[] = [], prettyName?: string): OsRelease => ({
  id,
  idLike,
  ...(prettyName ? { prettyName } : {}),
});

/** A Linux desktop as the doctor sees it: ann, not root, no Docker yet, unless `over` says otherwise. */
export function linuxHost(r: OsRelease | undefined, over: Partial<HostOs> = {}): HostOs {
  return {
    platform: 'linux',
    ...(r ? { release: r } : {}),
    arch: 'x64',
    user: 'ann',
    isRoot: false,
    dockerGroup: 'absent',
    dockerInstalled: false,
    installedProducts: [],
    ...over,
  };
}
