// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { installPlan, type HostOs } from '../../../server/src/core/doctor/install-plan.js';
import { DockerSetup } from './DockerSetup';

afterEach(cleanup);

const host: HostOs = {
  platform: 'darwin',
  arch: 'arm64',
  user: 'ann',
  isRoot: false,
  dockerGroup: 'absent',
  dockerInstalled: false,
  installedProducts: ['orbstack'],
};

describe('the Docker setup card', () => {
  it('on macOS, lists the apps with their official pages and marks the installed one', () => {
    render(<DockerSetup plan={installPlan(host)} />);
    const card = screen.getByRole('region', { name: 'Set up Docker on macOS' });
    expect(within(card).getByRole('link', { name: 'Docker Desktop' }).getAttribute('href')).toBe(
      'https://docs.docker.com/desktop/setup/install/mac-install/',
    );
    const orb = within(card).getByRole('link', { name: 'OrbStack' }).closest('li')!;
    expect(orb.textContent).toContain('Installed');
    expect(card.textContent).toContain('OrbStack is installed but its engine does not answer');
    // Nothing to run on macOS: no commands, no install button.
    expect(within(card).queryByRole('button', { name: 'Install Docker for me' })).toBeNull();
  });

  it('on Linux in a browser: the commands and the docker group explained, no install button', () => {
    const plan = installPlan({
      ...host,
      platform: 'linux',
      release: { id: 'arch', idLike: [], prettyName: 'Arch Linux' },
      installedProducts: [],
    });
    render(<DockerSetup plan={plan} />);
    const card = screen.getByRole('region', { name: 'Set up Docker on Arch Linux' });
    expect(within(card).getByLabelText('Commands').textContent).toBe(
      'sudo pacman -Syu --needed --noconfirm docker\nsudo systemctl enable --now docker\nsudo usermod -aG docker ann',
    );
    expect(card.textContent).toMatch(/About the docker group: .*root/);
    expect(within(card).getByRole('button', { name: 'Copy commands' })).toBeTruthy();
    expect(within(card).queryByRole('button', { name: 'Install Docker for me' })).toBeNull();
  });
});
