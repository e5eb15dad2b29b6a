import { existsSync, readFileSync } from 'node:fs';
import { arch, homedir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type { EngineProduct } from '../../contract/docker-setup.js';
import type { HostOs } from '../../core/doctor/install-plan.js';
import { parseOsRelease } from './os-release.js';

/** What reading the host needs; tests pass fakes, `nodeHostOs` the real machine. */
export interface HostOsSources {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  arch: string;
  home: string;
  user: { name: string; uid: number; gid: number };
  readText(path: string): string | undefined;
  exists(path: string): boolean;
}

/** Where each engine app lands when installed the usual way (the installer's default). */
function productPaths(src: HostOsSources): Array<[EngineProduct['id'], string]> {
  if (src.platform === 'darwin') {
    const apps = (name: string) => [
      `/Applications/${name}.app`,
      join(src.home, 'Applications', `${name}.app`),
    ];
    return [
      ...apps('Docker').map((p) => ['docker-desktop', p] as [EngineProduct['id'], string]),
      ...apps('OrbStack').map((p) => ['orbstack', p] as [EngineProduct['id'], string]),
      ...apps('Rancher Desktop').map(
        (p) => ['rancher-desktop', p] as [EngineProduct['id'], string],
      ),
      ...apps('Podman Desktop').map((p) => ['podman-desktop', p] as [EngineProduct['id'], string]),
      ['colima', '/opt/homebrew/bin/colima'],
      ['colima', '/usr/local/bin/colima'],
    ];
  }
  if (src.platform === 'win32') {
    const programFiles = src.env.ProgramFiles ?? 'C:\\Program Files';
    const local = src.env.LOCALAPPDATA ?? `${src.home}\\AppData\\Local`;
    return [
      ['docker-desktop', `${programFiles}\\Docker\\Docker\\Docker Desktop.exe`],
      ['rancher-desktop', `${programFiles}\\Rancher Desktop\\Rancher Desktop.exe`],
      ['rancher-desktop', `${local}\\Programs\\Rancher Desktop\\Rancher Desktop.exe`],
      ['podman-desktop', `${local}\\Programs\\podman-desktop\\Podman Desktop.exe`],
      ['podman-desktop', `${programFiles}\\Podman Desktop\\Podman Desktop.exe`],
    ];
  }
  return [];
}

/** The docker group from /etc/group: absent, or whether the user is in it (listed or as primary group). */
function dockerGroup(src: HostOsSources): HostOs['dockerGroup'] {
  const text = src.readText('/etc/group');
  const line = text?.split('\n').find((l) => l.startsWith('docker:'));
  if (!line) return 'absent';
  const [, , gid, members = ''] = line.split(':');
  const listed = members
    .split(',')
    .map((m) => m.trim())
    .includes(src.user.name);
  return listed || Number(gid) === src.user.gid ? 'member' : 'not-member';
}

/** Whether the engine's program is installed: dockerd on the PATH or in the usual folders. */
function dockerInstalled(src: HostOsSources): boolean {
  const dirs = [
    ...(src.env.PATH ?? '').split(delimiter),
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/bin',
  ];
  return dirs.some((dir) => dir !== '' && src.exists(join(dir, 'dockerd')));
}

/** Describes the host for the install plan. Reads files only; runs nothing. */
export function readHostOs(src: HostOsSources): HostOs {
  const linux = src.platform === 'linux';
  const releaseText = linux
    ? (src.readText('/etc/os-release') ?? src.readText('/usr/lib/os-release'))
    : undefined;
  const release = releaseText === undefined ? undefined : parseOsRelease(releaseText);
  const installed = new Set<EngineProduct['id']>();
  for (const [id, path] of productPaths(src)) if (src.exists(path)) installed.add(id);
  return {
    platform: src.platform,
    ...(release ? { release } : {}),
    arch: src.arch,
    user: src.user.name,
    isRoot: src.user.uid === 0,
    dockerGroup: linux ? dockerGroup(src) : 'absent',
    dockerInstalled: linux && dockerInstalled(src),
    installedProducts: [...installed],
  };
}

/** This machine, as readHostOs sees it. */
export function nodeHostOs(env: Record<string, string | undefined>): HostOs {
  let user = {
    name: env.USER ?? 'you',
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
  };
  try {
    const info = userInfo();
    user = { name: info.username, uid: info.uid, gid: info.gid };
  } catch {
    // A uid with no passwd entry (some containers): keep what the environment says.
  }
  return readHostOs({
    platform: process.platform,
    env,
    arch: arch(),
    home: homedir(),
    user,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8').slice(0, 64 * 1024);
      } catch {
        return undefined;
      }
    },
    exists: existsSync,
  });
}
