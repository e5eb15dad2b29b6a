import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { engineProxy } from '../integration/support/engine-proxy.js';
import { HomePage } from './pages/home-page.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';

/** The Electron preload's bridge, with the "Install Docker for me" call the desktop adds. */
async function actAsDesktopWithInstaller(page: Page, token: string): Promise<void> {
  await page.addInitScript((t: string) => {
    const calls: string[] = [];
    const bridge = {
      getToken: () => Promise.resolve(t),
      chooseFolder: () => Promise.resolve(undefined),
      saveFile: () => Promise.resolve(undefined),
      revealInFolder: () => Promise.resolve(),
      version: () => Promise.resolve('e2e'),
      getStartAtLogin: () => Promise.resolve(false),
      setStartAtLogin: () => Promise.resolve(),
      installDocker: () => {
        calls.push('installDocker');
        return Promise.resolve({
          ok: false,
          message: 'Nothing was installed: the password prompt was closed.',
        });
      },
    };
    Object.defineProperty(window, 'desktop', { value: bridge });
    Object.defineProperty(window, 'installCalls', { value: calls });
  }, token);
}

test.describe('a computer without a Docker engine', () => {
  test('shows the plan, commands first; then goes on by itself when the engine appears', async ({
    page,
  }) => {
    // DOCKER_HOST names a socket this test owns: nothing listens there until the proxy starts.
    const dir = mkdtempSync(join(tmpdir(), 'mna-e2e-engine-'));
    const socket = join(dir, 'docker.sock');
    const engine = engineProxy(socket);
    const served = await startServe({ env: { DOCKER_HOST: `unix://${socket}` } });
    try {
      const home = new HomePage(page);
      await home.actAsDesktopShell(served.app.token);
      await home.open(served.app.url);
      const setup = home.doctorCard.getByRole('region', { name: /Set up Docker on/ });
      // The checks run once the page has its token; on a loaded machine that takes a few seconds.
      await expect(setup).toBeVisible({ timeout: 20_000 });
      await expect(setup.getByLabel('Commands')).toContainText('systemctl enable --now docker');
      await expect(setup.getByRole('button', { name: 'Copy commands' })).toBeVisible();
      // A plain serve (no desktop installer in the bridge): nothing offers to run privileged commands.
      await expect(setup.getByRole('button', { name: 'Install Docker for me' })).toHaveCount(0);
      await expect(setup).toContainText('this page goes on by itself');
      await captureScreen(page, 'docker-setup');

      await engine.start();
      // No click: the server's watcher sees the engine and the checks run again.
      await expect(home.check('engine.reachable')).toContainText('OK', { timeout: 20_000 });
      await expect(setup).toHaveCount(0);
    } finally {
      await engine.stop();
      await stopServe(served);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in the desktop app, offers "Install Docker for me" and shows how it ended', async ({
    page,
  }) => {
    const served = await startServe({ env: { DOCKER_HOST: 'unix:///nonexistent-e2e.sock' } });
    try {
      await actAsDesktopWithInstaller(page, served.app.token);
      const home = new HomePage(page);
      await home.open(served.app.url);
      const setup = home.doctorCard.getByRole('region', { name: /Set up Docker on/ });
      const install = setup.getByRole('button', { name: 'Install Docker for me' });
      await expect(install).toBeVisible({ timeout: 20_000 });
      await install.click();
      await expect(
        setup.getByRole('status').filter({ hasText: 'Nothing was installed' }),
      ).toBeVisible();
      expect(
        await page.evaluate(() => (window as unknown as { installCalls: string[] }).installCalls),
      ).toEqual(['installDocker']);
    } finally {
      await stopServe(served);
    }
  });
});
