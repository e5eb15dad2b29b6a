import type {
  DistroFamily,
  DockerInstallPlan,
  EngineProduct,
  InstallStep,
} from '../../contract/docker-setup.js';

/** The fields of /etc/os-release the plan needs (see infra/system/os-release.ts). */
export interface OsRelease {
  id: string;
  /** ID_LIKE, nearest relative first ("ubuntu debian" on Linux Mint). */
  idLike: string[];
  versionId?: string;
  prettyName?: string;
}

/** What the plan is made from; infra/system/host-os.ts reads it, tests write it. */
export interface HostOs {
  platform: NodeJS.Platform;
  /** Linux only; undefined when /etc/os-release could not be read. */
  release?: OsRelease;
  arch: string;
  user: string;
  isRoot: boolean;
  dockerGroup: 'absent' | 'member' | 'not-member';
  /** The engine's program (dockerd) is on this computer, running or not. */
  dockerInstalled: boolean;
  /** Engine apps found installed (macOS, Windows). */
  installedProducts: EngineProduct['id'][];
}

const ENGINE_DOCS = 'https://docs.docker.com/engine/install/';

/** Distribution IDs (ID or ID_LIKE of os-release) and the family whose commands fit them. */
const FAMILY_OF_ID: Record<string, DistroFamily> = {
  debian: 'debian',
  ubuntu: 'debian',
  raspbian: 'debian',
  fedora: 'fedora',
  rhel: 'rhel',
  centos: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
  arch: 'arch',
  archarm: 'arch',
  manjaro: 'arch',
  endeavouros: 'arch',
};

/** The family of a distribution: its own ID first, then its ID_LIKE chain in order. */
export function familyOf(release: OsRelease): DistroFamily | undefined {
  for (const id of [release.id, ...release.idLike]) {
    const family = FAMILY_OF_ID[id.toLowerCase()];
    if (family) return family;
  }
  return undefined;
}

const step = (title: string, ...argv: string[]): InstallStep => ({ title, argv, privileged: true });

function packageSteps(family: DistroFamily, release: OsRelease): InstallStep[] {
  switch (family) {
    case 'debian':
      // The distribution's own package: no third-party repository, updated with the system.
      return [
        step('Refresh the package lists', 'apt-get', 'update'),
        step('Install Docker Engine', 'apt-get', 'install', '-y', 'docker.io'),
      ];
    case 'fedora':
      return [step('Install Docker Engine (Moby)', 'dnf', 'install', '-y', 'moby-engine')];
    case 'rhel': {
      // RHEL and its rebuilds carry no Docker package: Docker's own repository it is.
      const repo = release.id === 'rhel' ? 'rhel' : 'centos';
      return [
        step('Install the repository tool', 'dnf', 'install', '-y', 'dnf-plugins-core'),
        step(
          "Add Docker's package repository",
          'dnf',
          'config-manager',
          '--add-repo',
          `https://download.docker.com/linux/${repo}/docker-ce.repo`,
        ),
        step(
          'Install Docker Engine',
          ...['dnf', 'install', '-y', 'docker-ce', 'docker-ce-cli', 'containerd.io'],
        ),
      ];
    }
    case 'arch':
      // Arch supports no partial upgrades: the package comes with a full system update.
      return [
        step(
          'Update the system and install Docker',
          'pacman',
          '-Syu',
          '--needed',
          '--noconfirm',
          'docker',
        ),
      ];
  }
}

/** Words for a shell: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The steps as terminal lines; `sudo` in front of privileged ones unless the user is root. */
export function scriptOf(steps: InstallStep[], isRoot: boolean): string {
  return steps
    .map((s) => `${s.privileged && !isRoot ? 'sudo ' : ''}${s.argv.map(shellQuote).join(' ')}`)
    .join('\n');
}

export function groupNote(user: string): string {
  return (
    `Adding ${user} to the docker group lets MediaNest Appliance use Docker without asking for a ` +
    'password each time. Be aware: the Docker engine runs as the administrator (root), so every ' +
    'member of the docker group can in effect do anything on this computer. Only add accounts you ' +
    'trust as much as the administrator. The change takes effect after you log out and back in.'
  );
}

function linuxSystem(release: OsRelease | undefined): string {
  if (!release) return 'Linux';
  return release.prettyName ?? [release.id, release.versionId].filter(Boolean).join(' ');
}

/**
 * The engine runs but this user may not use its socket: only the group, never an install. Someone
 * already in the group (per /etc/group) has not logged in again since being added.
 */
function accessPlan(host: HostOs): DockerInstallPlan {
  const system = host.platform === 'linux' ? linuxSystem(host.release) : host.platform;
  const base = {
    system,
    products: [],
    docsUrl: 'https://docs.docker.com/engine/install/linux-postinstall/',
  };
  if (host.dockerGroup === 'member' || host.isRoot) {
    return {
      ...base,
      kind: 'manual',
      summary: `Docker is running and ${host.user} is in the docker group, but this session started before that: log out and back in, then open MediaNest Appliance again.`,
      steps: [],
      script: '',
    };
  }
  const steps = [
    ...(host.dockerGroup === 'absent'
      ? [step('Create the docker group', 'groupadd', '-f', 'docker')]
      : []),
    step(`Let ${host.user} use Docker`, 'usermod', '-aG', 'docker', host.user),
  ];
  return {
    ...base,
    kind: 'commands',
    summary: `Docker is running, but ${host.user} may not use it: add ${host.user} to the docker group (the command is below), then log out and back in.`,
    steps,
    script: scriptOf(steps, host.isRoot),
    groupNote: groupNote(host.user),
  };
}

function linuxPlan(host: HostOs): DockerInstallPlan {
  const system = linuxSystem(host.release);
  const family = host.release ? familyOf(host.release) : undefined;
  if (!family || !host.release) {
    return {
      kind: 'manual',
      system,
      summary: `We cannot install Docker for you on ${system}. Follow Docker's instructions for your distribution, then start the engine; this page notices by itself when it answers.`,
      steps: [],
      script: '',
      products: [],
      docsUrl: ENGINE_DOCS,
    };
  }
  const steps = host.dockerInstalled ? [] : packageSteps(family, host.release);
  steps.push(
    step('Start the engine now and at every start-up', 'systemctl', 'enable', '--now', 'docker'),
  );
  const needsGroup = !host.isRoot && host.dockerGroup !== 'member';
  if (needsGroup) {
    // The package creates the group; on a system where it is missing anyway, -f makes this a no-op.
    if (host.dockerGroup === 'absent' && host.dockerInstalled)
      steps.push(step('Create the docker group', 'groupadd', '-f', 'docker'));
    steps.push(step(`Let ${host.user} use Docker`, 'usermod', '-aG', 'docker', host.user));
  }
  const summary = host.dockerInstalled
    ? `Docker is installed on ${system} but its engine is not running: start it (the commands are below).`
    : `Docker is not installed on ${system}: install Docker Engine from your distribution (the commands are below).`;
  return {
    kind: 'commands',
    system,
    family,
    summary,
    steps,
    script: scriptOf(steps, host.isRoot),
    ...(needsGroup ? { groupNote: groupNote(host.user) } : {}),
    products: [],
    docsUrl: ENGINE_DOCS,
  };
}

type ProductInfo = Omit<EngineProduct, 'installed'>;

const DOCKER_DESKTOP = (os: 'mac' | 'windows'): ProductInfo => ({
  id: 'docker-desktop',
  name: 'Docker Desktop',
  url: `https://docs.docker.com/desktop/setup/install/${os}-install/`,
  note: 'The usual choice: one installer, starts with your computer. Free for personal use and small businesses.',
});
const RANCHER: ProductInfo = {
  id: 'rancher-desktop',
  name: 'Rancher Desktop',
  url: 'https://rancherdesktop.io/',
  note: 'Free and open source; choose the "dockerd (moby)" engine in its settings.',
};
const ORBSTACK: ProductInfo = {
  id: 'orbstack',
  name: 'OrbStack',
  url: 'https://orbstack.dev/',
  note: 'Light and fast on Apple computers; free for personal use.',
};
const COLIMA: ProductInfo = {
  id: 'colima',
  name: 'Colima',
  url: 'https://github.com/abiosoft/colima',
  note: 'Free, no window: for people at home in the Terminal (Homebrew).',
};
const PODMAN: ProductInfo = {
  id: 'podman-desktop',
  name: 'Podman Desktop',
  url: 'https://podman-desktop.io/',
  note: 'Free and open source; turn on its Docker compatibility.',
};

function productPlan(host: HostOs, system: 'macOS' | 'Windows'): DockerInstallPlan {
  const infos =
    system === 'macOS'
      ? [DOCKER_DESKTOP('mac'), ORBSTACK, RANCHER, COLIMA, PODMAN]
      : [DOCKER_DESKTOP('windows'), RANCHER, PODMAN];
  const products = infos.map((p) => ({ ...p, installed: host.installedProducts.includes(p.id) }));
  const installed = products.filter((p) => p.installed);
  const summary =
    installed.length > 0
      ? `${installed.map((p) => p.name).join(' or ')} is installed but its engine does not answer: open it and wait until it says it is running; this page goes on by itself.`
      : `Install Docker Desktop (or one of the others below) and open it; this page goes on by itself when its engine answers.`;
  return {
    kind: 'products',
    system,
    summary,
    steps: [],
    script: '',
    products,
    docsUrl: products[0]!.url,
  };
}

/**
 * How this computer gets a Docker engine it may use (`no-access`: one runs, but this user may not
 * use its socket). Pure, so every family and case is tested as logic.
 */
export function installPlan(
  host: HostOs,
  situation: 'no-engine' | 'no-access' = 'no-engine',
): DockerInstallPlan {
  if (situation === 'no-access' && host.platform === 'linux') return accessPlan(host);
  if (host.platform === 'linux') return linuxPlan(host);
  if (host.platform === 'darwin') return productPlan(host, 'macOS');
  if (host.platform === 'win32') return productPlan(host, 'Windows');
  return {
    kind: 'manual',
    system: host.platform,
    summary: `We cannot install Docker for you on ${host.platform}. Follow Docker's instructions, then start the engine; this page notices by itself when it answers.`,
    steps: [],
    script: '',
    products: [],
    docsUrl: ENGINE_DOCS,
  };
}
