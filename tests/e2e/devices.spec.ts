import { randomBytes } from 'node:crypto';
import { pairingProof } from '../../server/src/core/auth/pairing.js';
import { request } from '../integration/support/http.js';
import { expect, test, withLanServe } from './serve-fixture.js';
import { HomePage } from './pages/home-page.js';
import { SignInPage } from './pages/sign-in-page.js';

/** What the desktop does with a code: proves it over the certificate it sees, gets its token. */
async function pairAsDesktop(url: string, code: string, deviceName: string): Promise<string> {
  const fingerprint = (await request(`${url}/api/health`)).fingerprint ?? '';
  const nonce = randomBytes(32).toString('hex');
  const proof = pairingProof('device', code, { fingerprint, nonce, deviceName });
  const answer = await request(`${url}/api/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deviceName, nonce, proof }),
  });
  expect(answer.status).toBe(200);
  return answer.json<{ token: string }>().token;
}

test('Settings pairs a device with a one-time code, lists it and revokes it', async ({
  browser,
}) => {
  const password = 'e2e admin password 42';
  await withLanServe(browser, password, async (started, context) => {
    const page = await context.newPage();
    const home = new HomePage(page);
    await home.open(started.app.url);
    await new SignInPage(page).signInWithPassword(password);
    await expect(home.doctorCard).toBeVisible();
    await page.goto(`${started.app.url}/settings`);
    const panel = page.getByRole('region', { name: 'Paired devices' });
    await expect(panel.getByText('No device is paired.')).toBeVisible();

    await panel.getByRole('button', { name: 'Pair a device' }).click();
    const code = (await panel.locator('.pairing-code').textContent()) ?? '';
    expect(code).toMatch(/^\S{5}-\S{5}$/);
    await expect(panel.locator('[data-pairing-code] .fingerprint code')).toHaveText(
      started.app.fingerprint ?? '',
    );
    const token = await pairAsDesktop(started.app.url, code, 'Study desktop');

    await page.reload();
    const row = panel.locator('[data-device="Study desktop"]');
    await expect(row).toContainText('127.0.0.1');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke' }).click();
    await expect(row).toHaveCount(0);
    await expect(panel.getByText('No device is paired.')).toBeVisible();
    const refused = await request(`${started.app.url}/api/devices`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);
  });
});
