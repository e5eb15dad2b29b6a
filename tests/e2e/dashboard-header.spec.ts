import { freePorts, jobEnd } from './pages/first-run-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';

test.describe('the dashboard’s header: what a home user looks for first', () => {
  test('“Open MediaNest” with the address others use, kept right after a port change', async ({
    page,
    stack,
  }) => {
    test.setTimeout(180_000);
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    const httpPort = (await stack.client.settings()).httpPort as number;
    const open = page.getByRole('link', { name: 'Open MediaNest' });
    await expect(open).toHaveAttribute('href', new RegExp(`^http://[^/]+:${httpPort}/$`));
    await expect(page.locator('[data-field="address"]')).toHaveText(new RegExp(`:${httpPort}/$`));
    await expect(page.getByRole('button', { name: 'Back up now' })).toBeEnabled();
    await captureScreen(page, 'dashboard-header');

    // Moved to another port from elsewhere (Settings, the CLI): the button follows by itself.
    const [newPort] = await freePorts(1);
    const { jobId } = await stack.client.settingsApply({ changes: { httpPort: newPort } });
    expect(await jobEnd(stack.client, jobId)).toBe('succeeded');
    await expect(open).toHaveAttribute('href', new RegExp(`:${newPort}/$`), { timeout: 30_000 });
  });

  test('“Stop all” asks first and says what stops answering; Cancel stops nothing', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });
    // The stack is shared with the worker's other specs: what counts is that Cancel adds no job.
    const jobsBefore = (await stack.client.jobs({})).map((j) => j.id);
    await page.getByRole('button', { name: 'Stop all' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Stop MediaNest?' });
    await expect(dialog).toContainText('Nobody can open MediaNest at http://');
    await expect(dialog).toContainText('nginx');
    await expect(dialog).toContainText('Your library, settings and backups stay');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await captureScreen(page, 'dashboard-stop-all-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(dashboard.overall).toHaveText('healthy');
    const added = (await stack.client.jobs({})).filter((j) => !jobsBefore.includes(j.id));
    expect(added).toEqual([]);
  });

  test('“Back up now” makes a backup from the dashboard', async ({ page, stack }) => {
    test.setTimeout(180_000);
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    const before = (await stack.client.backups()).length;
    await page.getByRole('button', { name: 'Back up now' }).click();
    await expect(page.locator('[data-job="backup"]')).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(async () => (await stack.client.backups()).length, { timeout: 150_000 })
      .toBe(before + 1);
    await expect(page.getByRole('button', { name: 'Back up now' })).toBeEnabled({
      timeout: 60_000,
    });
  });
});
