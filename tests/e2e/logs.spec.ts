import type { Locator } from '@playwright/test';
import type Docker from 'dockerode';
import { execInService } from '../integration/support/service-exec.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { LogsPage } from './pages/logs-page.js';

/**
 * Writes `text` to the service's own stdout (or stderr) (its PID 1's), as if the service had
 * logged it.
 */
async function logFrom(
  stack: { docker: Docker; project: string },
  service: string,
  text: string,
  fd: 1 | 2 = 1,
) {
  const out = await execInService(
    stack.docker,
    `com.docker.compose.project=${stack.project}`,
    service,
    ['sh', '-c', `echo "${text}" > /proc/1/fd/${fd}`],
  );
  expect(out.exitCode, out.stderr).toBe(0);
}

/** The colour a line's text is drawn in. */
const textColour = (line: Locator) =>
  line.locator('.log-text').evaluate((el) => getComputedStyle(el).color);

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
    await expect(logs.results).toContainText(`1 match for “${marker}”`);
    await expect(logs.results.locator('mark')).toHaveText(marker);
    // The live list highlights it too.
    await expect(logs.line(marker).locator('mark')).toHaveText(marker);
    await captureScreen(page, 'logs');

    // Closed, the search leaves nothing behind: no results, an empty box, no highlight.
    await logs.closeSearch.click();
    await expect(logs.results).toHaveCount(0);
    await expect(logs.search).toHaveValue('');
    await expect(logs.line(marker).locator('mark')).toHaveCount(0);
  });

  test('colours a line by its level, not by the stream it came on', async ({ page, stack }) => {
    const logs = new LogsPage(page);
    await logs.openAsDesktop(stack, '/logs');
    await expect(logs.followState).toContainText('Following live.');
    // PostgreSQL writes its ordinary lines to stderr, marked LOG; a real error is marked ERROR.
    const ordinary = `e2e-pg-log-${Date.now()}`;
    const failure = `e2e-pg-error-${Date.now()}`;
    const time = '2026-12-07 06:00:00.000 UTC [1]';
    await logFrom(stack, 'postgres', `${time} LOG:  checkpoint ${ordinary}`, 2);
    await logFrom(stack, 'postgres', `${time} ERROR:  relation ${failure} does not exist`, 2);
    await expect(logs.line(failure)).toBeVisible({ timeout: 15_000 });
    await expect(logs.line(ordinary)).toContainText('info');
    await expect(logs.line(failure)).toContainText('error');
    const [plain, red] = [
      await textColour(logs.line(ordinary)),
      await textColour(logs.line(failure)),
    ];
    const service = await logs
      .line(ordinary)
      .locator('.log-service')
      .evaluate((el) => getComputedStyle(el).color);
    expect(plain, 'an info line is drawn like any other text').toBe(service);
    expect(red, 'an error line stands out').not.toBe(plain);
  });

  test('wraps long lines when asked, at 200 % zoom from the start', async ({ page, stack }) => {
    const logs = new LogsPage(page);
    await logs.openAsDesktop(stack, '/logs');
    await expect(logs.followState).toContainText('Following live.');
    const end = `e2e-end-${Date.now()}`;
    const long = `${'a long line that goes on '.repeat(12)}${end}`;
    await logFrom(stack, 'redis', long);
    const line = logs.line(end);
    await expect(line).toBeVisible({ timeout: 15_000 });
    // Cut to one row, the end of the line is out of sight.
    await expect(logs.wrap).not.toBeChecked();
    const tail = line.locator('.log-text');
    const cut = await tail.evaluate((el) => el.scrollWidth > el.clientWidth);
    expect(cut, 'one row cuts the line').toBe(true);

    await logs.wrap.check();
    const lineBox = await line.boundingBox();
    const rowBox = await line.locator('xpath=..').boundingBox();
    expect(lineBox && rowBox && lineBox.height).toBeGreaterThan(22);
    // The row the list gives it is as tall as the wrapped text: nothing cut, nothing overlapping.
    expect(Math.abs((rowBox?.height ?? 0) - (lineBox?.height ?? 0))).toBeLessThanOrEqual(1);

    // 200 % zoom of a 1280 px window leaves 640 CSS pixels: the page opens with lines wrapped.
    await page.setViewportSize({ width: 640, height: 900 });
    await page.reload();
    await expect(logs.wrap).toBeChecked();
    await expect(line).toBeVisible({ timeout: 15_000 });
    const zoomed = await line.boundingBox();
    const zoomedRow = await line.locator('xpath=..').boundingBox();
    expect(Math.abs((zoomedRow?.height ?? 0) - (zoomed?.height ?? 0))).toBeLessThanOrEqual(1);
    expect(zoomed && zoomed.x + zoomed.width).toBeLessThanOrEqual(640);
    await captureScreen(page, 'logs-zoom-200');
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
