import { describe, expect, it } from 'vitest';
import { linuxHost as linux, release } from './host-os.test-support.js';
import { familyOf, installPlan, shellQuote, type HostOs } from './install-plan.js';

const argvs = (host: HostOs) => installPlan(host).steps.map((s) => s.argv.join(' '));

describe('the Docker install plan on Linux', () => {
  it('Debian: the distribution package, the engine started, the user added to the group', () => {
    const plan = installPlan(linux(release('debian', [], 'Debian GNU/Linux 12 (bookworm)')));
    expect(plan.kind).toBe('commands');
    expect(plan.family).toBe('debian');
    expect(plan.system).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(plan.steps.map((s) => s.argv.join(' '))).toEqual([
      'apt-get update',
      'apt-get install -y docker.io',
      'systemctl enable --now docker',
      'usermod -aG docker ann',
    ]);
    expect(plan.steps.every((s) => s.privileged)).toBe(true);
    expect(plan.script).toBe(
      [
        'sudo apt-get update',
        'sudo apt-get install -y docker.io',
        'sudo systemctl enable --now docker',
        'sudo usermod -aG docker ann',
      ].join('\n'),
    );
    expect(plan.groupNote).toMatch(/root/);
    expect(plan.groupNote).toMatch(/log out and back in/);
  });

  it('Ubuntu, and Linux Mint and Pop!_OS through their ID_LIKE chain, get the apt commands', () => {
    for (const r of [
      release('ubuntu', ['debian']),
      release('linuxmint', ['ubuntu', 'debian']),
      release('pop', ['ubuntu', 'debian']),
      release('raspbian', ['debian']),
    ]) {
      expect(familyOf(r)).toBe('debian');
      expect(argvs(linux(r))).toContain('apt-get install -y docker.io');
    }
  });

  it('Fedora gets dnf and the Moby engine from its own repository', () => {
    expect(argvs(linux(release('fedora')))).toEqual([
      'dnf install -y moby-engine',
      'systemctl enable --now docker',
      'usermod -aG docker ann',
    ]);
  });

  it("RHEL and its rebuilds get dnf with Docker's repository (RHEL's own for RHEL)", () => {
    expect(argvs(linux(release('rhel', ['fedora'])))).toContain(
      'dnf config-manager --add-repo https://download.docker.com/linux/rhel/docker-ce.repo',
    );
    for (const r of [
      release('rocky', ['rhel', 'centos', 'fedora']),
      release('almalinux', ['rhel', 'centos', 'fedora']),
    ]) {
      expect(familyOf(r)).toBe('rhel');
      const steps = argvs(linux(r));
      expect(steps).toContain(
        'dnf config-manager --add-repo https://download.docker.com/linux/centos/docker-ce.repo',
      );
      expect(steps).toContain('dnf install -y docker-ce docker-ce-cli containerd.io');
    }
  });

  it('Arch, Manjaro and EndeavourOS get pacman with a full system update', () => {
    for (const r of [
      release('arch'),
      release('manjaro', ['arch']),
      release('endeavouros', ['arch']),
    ]) {
      expect(argvs(linux(r))[0]).toBe('pacman -Syu --needed --noconfirm docker');
    }
  });

  it('root needs neither sudo nor the docker group', () => {
    const plan = installPlan(linux(release('debian'), { isRoot: true, user: 'root' }));
    expect(plan.script).not.toMatch(/sudo/);
    expect(plan.steps.map((s) => s.argv[0])).not.toContain('usermod');
    expect(plan.groupNote).toBeUndefined();
  });

  it('a user already in the docker group is not added again', () => {
    const plan = installPlan(linux(release('fedora'), { dockerGroup: 'member' }));
    expect(plan.steps.map((s) => s.argv[0])).toEqual(['dnf', 'systemctl']);
    expect(plan.groupNote).toBeUndefined();
  });

  it('Docker installed but stopped: only start it (and the group), nothing is installed', () => {
    const plan = installPlan(
      linux(release('ubuntu', ['debian']), { dockerInstalled: true, dockerGroup: 'not-member' }),
    );
    expect(plan.summary).toMatch(/installed .* not running/);
    expect(plan.steps.map((s) => s.argv.join(' '))).toEqual([
      'systemctl enable --now docker',
      'usermod -aG docker ann',
    ]);
  });

  it('an unknown distribution gets no commands, a plain sentence and the generic docs', () => {
    const plan = installPlan(linux(release('nixos', [], 'NixOS 24.05')));
    expect(plan.kind).toBe('manual');
    expect(plan.steps).toEqual([]);
    expect(plan.summary).toMatch(/cannot install Docker for you on NixOS 24\.05/);
    expect(plan.docsUrl).toBe('https://docs.docker.com/engine/install/');
    expect(installPlan(linux(undefined)).kind).toBe('manual');
  });

  it('quotes a user name a shell would split, in the terminal lines only', () => {
    const plan = installPlan(linux(release('debian'), { user: "o'neil smith" }));
    expect(plan.steps.at(-1)!.argv.at(-1)).toBe("o'neil smith");
    expect(plan.script.split('\n').at(-1)).toBe(`sudo usermod -aG docker 'o'\\''neil smith'`);
    expect(shellQuote('docker.io')).toBe('docker.io');
  });
});

describe('the Docker install plan on macOS and Windows', () => {
  const desktop = (platform: NodeJS.Platform, installed: HostOs['installedProducts'] = []) =>
    installPlan({ ...linux(undefined), platform, installedProducts: installed });

  it('macOS: Docker Desktop first, then OrbStack, Rancher Desktop, Colima and Podman Desktop', () => {
    const plan = desktop('darwin');
    expect(plan.kind).toBe('products');
    expect(plan.steps).toEqual([]);
    expect(plan.products.map((p) => p.name)).toEqual([
      'Docker Desktop',
      'OrbStack',
      'Rancher Desktop',
      'Colima',
      'Podman Desktop',
    ]);
    expect(plan.products[0]!.url).toBe(
      'https://docs.docker.com/desktop/setup/install/mac-install/',
    );
    expect(plan.products.every((p) => p.url.startsWith('https://'))).toBe(true);
    expect(plan.summary).toMatch(/^Install Docker Desktop/);
  });

  it('Windows: no OrbStack or Colima (macOS only)', () => {
    const plan = desktop('win32');
    expect(plan.products.map((p) => p.id)).toEqual([
      'docker-desktop',
      'rancher-desktop',
      'podman-desktop',
    ]);
    expect(plan.docsUrl).toMatch(/windows-install/);
  });

  it('an installed app that is not running is named: open it', () => {
    const plan = desktop('darwin', ['orbstack']);
    expect(plan.summary).toMatch(/^OrbStack is installed .* open it/);
    expect(plan.products.find((p) => p.id === 'orbstack')!.installed).toBe(true);
    expect(plan.products.find((p) => p.id === 'docker-desktop')!.installed).toBe(false);
  });
});

describe('the plan when Docker runs but this user may not use it', () => {
  it('only the group step, never an install, with what membership means', () => {
    const plan = installPlan(
      linux(release('ubuntu', ['debian']), { dockerInstalled: true, dockerGroup: 'not-member' }),
      'no-access',
    );
    expect(plan.steps.map((s) => s.argv.join(' '))).toEqual(['usermod -aG docker ann']);
    expect(plan.summary).toMatch(/^Docker is running, but ann may not use it/);
    expect(plan.groupNote).toMatch(/root/);
  });

  it('already in the group: log out and back in, no commands', () => {
    const plan = installPlan(linux(release('fedora'), { dockerGroup: 'member' }), 'no-access');
    expect(plan.kind).toBe('manual');
    expect(plan.steps).toEqual([]);
    expect(plan.summary).toMatch(/log out and back in/);
  });
});
