import type Docker from 'dockerode';
import { execInService } from '../integration/support/service-exec.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { LogsPage } from './pages/logs-page.js';

/** Writes `text` to the service's own stdout (its PID 1's), as if the service had logged it. */
async function logFrom(stack: { docker: Docker; project: string }, service: string, text: string) {
  const out = await execInService(
    stack.docker,
    `com.docker.compose.project=${stack.project}`,
    service,
    ['sh', '-c', `echo "${text}" > /proc/1/fd/1`],
  );
  expect(out.exitCode, out.stderr).toBe(0);
}

test.describe('the logs view', () => {
  test('follows a line the container writes, then finds and highlights it', async ({
    page,
    stack,
  }) => {
    const logs = new LogsPage(page);
    await logs.openAsDesktop(stack, '/logs');
    await expect(logs.followState).toContainText('Following live.');

    const marker = `e2e-follow-${Date.now()}`;
    await logFrom(stack, 'redis', `hello from the test ${marker}`);
    await expect(logs.line(marker)).toBeVisible({ timeout: 15_000 });
    await expect(logs.line(marker)).toContainText('redis');

    // Paused, a new line waits aside; resuming shows it.
    await logs.pause.click();
    await expect(logs.followState).toContainText('Paused');
    const second = `e2e-paused-${Date.now()}`;
    await logFrom(stack, 'redis', second);
    await expect(logs.pause).toHaveText(/Resume \(\d+ new\)/, { timeout: 15_000 });
    await expect(logs.line(second)).toHaveCount(0);
    await logs.pause.click();
    await expect(logs.line(second)).toBeVisible();

    await logs.searchFor(marker);
    await expect(logs.results).toContainText(`1 matches for “${marker}”`);
    await expect(logs.results.locator('mark')).toHaveText(marker);
    // The live list highlights it too.
    await expect(logs.line(marker).locator('mark')).toHaveText(marker);
    await captureScreen(page, 'logs');
  });

  test('a service page shows only that service’s log', async ({ page, stack }) => {
    const logs = new LogsPage(page);
    // Opened by its address, as a bookmark would: the server hands the app any such path.
    await logs.openAsDesktop(stack, '/services/postgres');
    await expect(
      page.getByRole('heading', { level: 2, name: 'postgres', exact: true }),
    ).toBeVisible();
    await expect(logs.followState).toContainText('Following live.');
    const mine = `e2e-pg-${Date.now()}`;
    const other = `e2e-redis-${Date.now()}`;
    await logFrom(stack, 'redis', other);
    await logFrom(stack, 'postgres', mine);
    await expect(logs.line(mine)).toBeVisible({ timeout: 15_000 });
    await expect(logs.line(other)).toHaveCount(0);
    await captureScreen(page, 'service');
  });
});
