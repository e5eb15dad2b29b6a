import { mkdirSync } from 'node:fs';
import { expect, test } from './serve-fixture.js';
import { HomePage } from './pages/home-page.js';

const SHOTS = 'artifacts/screenshots';

test.describe('the first screen served by `serve`', () => {
  test('shows the app and a live connection to its server', async ({ page, served }) => {
    const home = new HomePage(page);
    await home.open(served.url);
    await expect(home.heading).toBeVisible();
    await expect(home.connection).toHaveText(/Server running · v\d+\.\d+\.\d+/);
    // A plain browser has no token: it is asked to sign in, and is shown nothing it may not see.
    await expect(home.signIn).toBeVisible();
    await expect(home.doctorCard).toHaveCount(0);
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`runs the preflight against the rig's engine (${scheme})`, async ({ page, served }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const home = new HomePage(page);
      await home.actAsDesktopShell(served.token);
      await home.open(served.url);
      await expect(home.check('engine.reachable')).toContainText('OK');
      await expect(home.check('engine.reachable')).toContainText(/Docker \d+\.\d+/);
      await expect(home.check('engine.api-version')).toContainText('OK');
      await expect(home.checkAgain).toBeEnabled();
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/first-run-doctor-${scheme}.png`, fullPage: true });
    });
  }

  test('shows the server as unreachable when it stops, instead of a blank page', async ({
    page,
    served,
  }) => {
    const home = new HomePage(page);
    await home.open(served.url);
    await expect(home.connection).toHaveText(/Server running/);
    await page.route('**/api/health', (route) => route.abort('connectionrefused'));
    await expect(home.connection).toHaveText('Server unreachable, retrying', { timeout: 15_000 });
    await expect(home.heading).toBeVisible();
  });
});
