import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { rigEnv } from '../integration/support/rig.js';
import { captureScreen } from './support/screens.js';
import { expect, installStack, INSTALL_TIMEOUT_MS, type InstalledStack } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

/**
 * The rig's engine socket behind a switch: the served app talks to Docker through it, so Docker
 * can "go away" and come back without stopping the rig other engineers use.
 */
class EngineSwitch {
  readonly dir = mkdtempSync(join(tmpdir(), 'mna-e2e-engine-'));
  readonly path = join(this.dir, 'engine.sock');
  private open = true;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  async start(upstream: string): Promise<void> {
    this.server = createServer((inbound) => {
      if (!this.open) return inbound.destroy();
      const outbound = connect(upstream);
      this.sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const drop = (): void => {
        inbound.destroy();
        outbound.destroy();
        this.sockets.delete(inbound);
        this.sockets.delete(outbound);
      };
      inbound.on('error', drop).on('close', drop);
      outbound.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.path, resolve));
  }

  /** Docker gone: every connection cut, new ones refused. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const test = base.extend<object, { engine: EngineSwitch; stack: InstalledStack }>({
  engine: [
    async ({}, use) => {
      const engine = new EngineSwitch();
      await engine.start(rigEnv().dockerHost.replace('unix://', ''));
      await use(engine);
      await engine.close();
    },
    { scope: 'worker' },
  ],
  stack: [
    async ({ engine }, use) => {
      const { stack, remove } = await installStack(`mnae2eengine${process.pid}`, {
        DOCKER_HOST: `unix://${engine.path}`,
      });
      try {
        await use(stack);
      } finally {
        engine.restore();
        await remove();
      }
    },
    { scope: 'worker', timeout: INSTALL_TIMEOUT_MS + 60_000 },
  ],
});

test('Docker unreachable: state unknown, actions off, one red status; back by itself when it returns', async ({
  page,
  stack,
  engine,
}) => {
  test.setTimeout(120_000);
  const dashboard = new DashboardPage(page);
  await dashboard.openAsDesktop(stack);
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });
  await expect(dashboard.connection).toContainText('Server running');

  engine.cut();
  await expect(dashboard.connection).toHaveText('Docker not reachable', { timeout: 15_000 });
  await expect(dashboard.connection).toHaveClass(/badge-fail/);
  await expect(dashboard.overall).toHaveText('unknown');
  // No stale "healthy" or "exited", and nothing that cannot work is offered.
  for (const service of ['backend', 'frontend', 'nginx', 'postgres', 'redis']) {
    await expect(dashboard.state(service), service).toHaveText('unknown');
    for (const action of ['Start', 'Stop', 'Restart'] as const) {
      await expect(dashboard.action(service, action), `${service} ${action}`).toBeDisabled();
    }
  }
  for (const name of ['Start all', 'Stop all', 'Restart all']) {
    await expect(
      dashboard.wholeStack.getByRole('button', { name, exact: true }),
      name,
    ).toBeDisabled();
  }
  await expect(dashboard.step('migrate')).toHaveAttribute('data-state', 'unknown');
  await expect(dashboard.banner).toContainText('Docker is not running or cannot be reached');
  await expect(dashboard.banner.getByRole('link', { name: /Set up Docker/ })).toHaveAttribute(
    'href',
    '/setup',
  );
  // The UI's own words: no command line, no error code.
  await expect(page.locator('body')).not.toContainText(/systemctl|ENOENT|ECONNREFUSED|--/);
  await captureScreen(page, 'dashboard-engine-unreachable');

  engine.restore();
  // No reload: the monitor reconnects (it retries at most every 10 s) and the page follows.
  await expect(dashboard.connection).toContainText('Server running', { timeout: 30_000 });
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });
  await expect(dashboard.state('redis')).toHaveText('healthy');
  await expect(dashboard.action('redis', 'Restart')).toBeEnabled();
  await expect(dashboard.banner).toHaveCount(0);
  await expect(dashboard.card('nginx')).toContainText(/Open to your network on port \d+/);
});
