import { describe, expect, it, vi } from 'vitest';
import { linuxHost, release } from '../../core/doctor/host-os.test-support.js';
import { installPlan } from '../../core/doctor/install-plan.js';
import { rootScript, runPlanWithPkexec, type Run } from './privileged-install.js';

const ubuntu = linuxHost(release('ubuntu', ['debian'], 'Ubuntu 24.04 LTS'));
const plan = installPlan(ubuntu);

const runner = (answer: Awaited<ReturnType<Run>>) => vi.fn<Run>(async () => answer);

describe('"Install Docker for me" through pkexec', () => {
  it('runs the whole plan as one root script behind one password prompt, without sudo', async () => {
    const run = runner({ code: 0, stderr: '' });
    const result = await runPlanWithPkexec(plan, run);
    expect(run).toHaveBeenCalledWith('pkexec', ['/bin/sh', '-c', rootScript(plan)]);
    expect(rootScript(plan)).toBe(
      [
        'set -e',
        'apt-get update',
        'apt-get install -y docker.io',
        'systemctl enable --now docker',
        'usermod -aG docker ann',
      ].join('\n'),
    );
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/Log out and back in/);
  });

  it('a dismissed prompt installs nothing and says so', async () => {
    const result = await runPlanWithPkexec(plan, runner({ code: 126, stderr: '' }));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Nothing was installed/);
  });

  it('without polkit, points to the terminal', async () => {
    const error = Object.assign(new Error('spawn pkexec ENOENT'), { code: 'ENOENT' });
    const result = await runPlanWithPkexec(plan, runner({ code: null, stderr: '', error }));
    expect(result.message).toMatch(/run them in a terminal/);
  });

  it('a failing step ends with its last error lines', async () => {
    const result = await runPlanWithPkexec(
      plan,
      runner({
        code: 100,
        stderr: 'Reading package lists...\nE: Unable to locate package docker.io\n',
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('E: Unable to locate package docker.io');
  });

  it('runs nothing for a plan without commands (macOS, an unknown distribution)', async () => {
    const run = runner({ code: 0, stderr: '' });
    const mac = installPlan({ ...ubuntu, platform: 'darwin' });
    const result = await runPlanWithPkexec(mac, run);
    expect(run).not.toHaveBeenCalled();
    expect(result.ok).toBe(false);
  });
});
