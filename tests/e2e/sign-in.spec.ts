import { mkdirSync } from 'node:fs';
import {
  expect,
  startLanServe,
  startServe,
  stopServe,
  test,
  withLanServe,
} from './serve-fixture.js';
import { HomePage } from './pages/home-page.js';
import { SignInPage } from './pages/sign-in-page.js';

test.describe('signing in to `serve` from a plain browser', () => {
  test('the printed login link signs in once, leaves no code in the address bar, and survives a reload', async ({
    page,
    browser,
    served,
  }) => {
    const home = new HomePage(page);
    const signIn = new SignInPage(page);
    await signIn.openLoginLink(served.loginUrl);
    await expect(home.doctorCard).toBeVisible();
    await expect(home.signIn).toHaveCount(0);
    // Nothing is installed on this serve: the app sends the user on to the first-run page.
    await expect(page).toHaveURL(`${served.url}/setup`);
    expect(page.url()).not.toContain('code=');
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'mna_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    // The session cookie is invisible to the page's scripts.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await page.reload();
    await expect(home.doctorCard).toBeVisible();
    expect(await signIn.eventStreamOpens()).toBe(true);

    // The same link in another browser gets nothing: it worked once.
    const other = await browser.newContext();
    try {
      const otherPage = await other.newPage();
      const otherSignIn = new SignInPage(otherPage);
      await otherSignIn.openLoginLink(served.loginUrl);
      await expect(otherSignIn.spentLink).toBeVisible();
      expect(await other.cookies()).toEqual([]);
      const otherHome = new HomePage(otherPage);
      await otherHome.open(served.url);
      await expect(otherHome.signIn).toBeVisible();
      await expect(otherHome.doctorCard).toHaveCount(0);
      expect(await otherSignIn.eventStreamOpens()).toBe(false);
    } finally {
      await other.close();
    }
  });

  test('with an admin password set, the sign-in card takes it', async ({ page }) => {
    const password = 'e2e admin password 42';
    const started = await startServe({ env: { MEDIANEST_ADMIN_PASSWORD: password } });
    try {
      const home = new HomePage(page);
      const signIn = new SignInPage(page);
      await home.open(started.app.url);
      await expect(signIn.password).toBeVisible();
      await signIn.signInWithPassword('not the password');
      await expect(signIn.error).toHaveText('That is not the admin password.');
      mkdirSync('artifacts/screenshots', { recursive: true });
      await page.screenshot({ path: 'artifacts/screenshots/sign-in-password.png', fullPage: true });
      await signIn.signInWithPassword(password);
      await expect(home.doctorCard).toBeVisible();
      await page.reload();
      await expect(home.doctorCard).toBeVisible();
    } finally {
      await stopServe(started);
    }
  });

  test('beyond loopback: HTTPS, the card shows the fingerprint serve printed, the cookie is Secure', async ({
    browser,
  }) => {
    const password = 'e2e admin password 42';
    await withLanServe(browser, password, async (started, context) => {
      expect(started.app.url).toMatch(/^https:\/\//);
      expect(started.app.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const page = await context.newPage();
      const home = new HomePage(page);
      const signIn = new SignInPage(page);
      await home.open(started.app.url);
      await expect(signIn.card.locator('code[data-fingerprint]')).toHaveText(
        started.app.fingerprint ?? '',
      );
      await expect(page.locator('[data-banner="plain-http"]')).toHaveCount(0);
      await signIn.signInWithPassword(password);
      await expect(home.doctorCard).toBeVisible();
      expect(await context.cookies()).toEqual([
        expect.objectContaining({ name: 'mna_session', secure: true, httpOnly: true }),
      ]);
    });
  });

  test('with --insecure-plain-http, every screen says the connection is not encrypted', async ({
    page,
  }) => {
    const password = 'e2e admin password 42';
    const started = await startLanServe(password, ['--insecure-plain-http']);
    try {
      const home = new HomePage(page);
      const signIn = new SignInPage(page);
      await home.open(started.app.url);
      const banner = page.locator('[data-banner="plain-http"]');
      await expect(banner).toContainText('Not encrypted.');
      await signIn.signInWithPassword(password);
      await expect(home.doctorCard).toBeVisible();
      await expect(banner).toContainText('--insecure-plain-http');
    } finally {
      await stopServe(started);
    }
  });
});
