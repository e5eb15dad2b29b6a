import { actAsDesktopShell } from './support/desktop-shell.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

test.describe('every screen of the shell', () => {
  test('alerts page: screenshot and axe', async ({ page, stack }) => {
    const shell = new DashboardPage(page);
    await shell.openAsDesktop(stack, '/alerts');
    await expect(page.getByRole('heading', { name: 'Alerts', level: 2 })).toBeVisible();
    await expect(shell.navLink('Alerts')).toHaveAttribute('aria-current', 'page');
    await captureScreen(page, 'alerts');
  });

  test('is reachable by keyboard with a visible focus, and navigates in place', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.overall).toHaveText('healthy');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    let reached = false;
    for (let i = 0; i < 10 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await dashboard.navLink('Logs').evaluate((el) => el === document.activeElement);
    }
    expect(reached).toBe(true);
    const outline = await dashboard
      .navLink('Logs')
      .evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe('solid');
    // A marker on the window survives only an in-app navigation, not a page load.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(`${stack.url}/logs`);
    await expect(page.getByRole('heading', { name: 'Logs', level: 2 })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await page.goBack();
    await expect(dashboard.overall).toHaveText('healthy');
  });

  test('stays readable at 200 % zoom: nothing wider than the window', async ({ page, stack }) => {
    // 200 % zoom of a 1280 px wide window leaves 640 CSS pixels.
    await page.setViewportSize({ width: 640, height: 900 });
    const dashboard = new DashboardPage(page);
    await actAsDesktopShell(page, stack.token);
    for (const path of ['/', '/logs', '/services/postgres', '/alerts']) {
      await page.goto(`${stack.url}${path}`);
      await expect(dashboard.nav).toBeVisible();
      await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(`${stack.url}/`);
    await expect(dashboard.overall).toHaveText('healthy');
    await captureScreen(page, 'dashboard-zoom-200');
  });
});
