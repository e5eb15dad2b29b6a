import { describe, expect, it } from 'vitest';
import { installPlan } from '../../core/doctor/install-plan.js';
import { readHostOs, type HostOsSources } from './host-os.js';

function sources(files: Record<string, string>, over: Partial<HostOsSources> = {}): HostOsSources {
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    arch: 'x64',
    home: '/home/ann',
    user: { name: 'ann', uid: 1000, gid: 1000 },
    readText: (path) => files[path],
    exists: (path) => path in files,
    ...over,
  };
}

const FEDORA = 'ID=fedora\nVERSION_ID=41\nPRETTY_NAME="Fedora Linux 41 (Workstation Edition)"\n';

describe('reading the host for the Docker install plan', () => {
  it('a Fedora desktop without Docker: the Fedora plan for ann, with the group step', () => {
    const host = readHostOs(
      sources({ '/etc/os-release': FEDORA, '/etc/group': 'wheel:x:10:ann\n' }),
    );
    expect(host).toMatchObject({ isRoot: false, dockerGroup: 'absent', dockerInstalled: false });
    const plan = installPlan(host);
    expect(plan.system).toBe('Fedora Linux 41 (Workstation Edition)');
    expect(plan.steps.map((s) => s.argv[0])).toEqual(['dnf', 'systemctl', 'usermod']);
  });

  it('sees dockerd installed, and the user in the docker group (listed or as primary group)', () => {
    const listed = readHostOs(
      sources({
        '/usr/lib/os-release': 'ID=debian\n',
        '/etc/group': 'docker:x:998:bob,ann\n',
        '/usr/bin/dockerd': '',
      }),
    );
    expect(listed).toMatchObject({ dockerGroup: 'member', dockerInstalled: true });
    expect(listed.release?.id).toBe('debian');
    const primary = readHostOs(sources({ '/etc/group': 'docker:x:1000:\n' }));
    expect(primary.dockerGroup).toBe('member');
    const other = readHostOs(sources({ '/etc/group': 'docker:x:998:bob\n' }));
    expect(other.dockerGroup).toBe('not-member');
  });

  it('finds an engine app installed on macOS and Windows', () => {
    const mac = readHostOs(
      sources({ '/Applications/OrbStack.app': '' }, { platform: 'darwin', home: '/Users/ann' }),
    );
    expect(mac.installedProducts).toEqual(['orbstack']);
    const win = readHostOs(
      sources(
        { 'C:\\Program Files\\Docker\\Docker\\Docker Desktop.exe': '' },
        { platform: 'win32', env: { ProgramFiles: 'C:\\Program Files' } },
      ),
    );
    expect(win.installedProducts).toEqual(['docker-desktop']);
    expect(installPlan(win).summary).toMatch(/^Docker Desktop is installed/);
  });
});
