import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { removeComposeProject } from '../integration/support/project.js';
import { request } from '../integration/support/http.js';
import { rigDocker, rigEnv } from '../integration/support/rig.js';
import { FirstRunPage, freePorts, occupyPort } from './pages/first-run-page.js';
import { HomePage } from './pages/home-page.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mne2efirstrun${process.pid}`;
let served: Awaited<ReturnType<typeof startServe>>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  served = await startServe({ env: { MEDIANEST_COMPOSE_PROJECT: PROJECT } });
});

test.afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await stopServe(served);
});

async function openWizard(page: Page): Promise<FirstRunPage> {
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const wizard = new FirstRunPage(page);
  await wizard.open(served.app.url);
  return wizard;
}

test('the wizard shows the server’s message next to the field it is about, and checks ports live', async ({
  page,
}) => {
  const wizard = await openWizard(page);
  await expect(wizard.doctorCard.locator('[data-check="engine.reachable"]')).toContainText('OK');
  await captureScreen(page, 'first-run-doors');

  await wizard.newInstall.click();
  await expect(wizard.stepTitle).toHaveText('How you will use it');
  await captureScreen(page, 'first-run-wizard');
  await wizard.nextTo('Address');
  // Each step announces itself: the focus is on its heading.
  await expect(wizard.stepTitle).toBeFocused();
  await wizard.choose(/With my own domain name/);
  await wizard.fill('domain', 'Media.Example.org');
  await wizard.next.click();
  await expect(wizard.errorOf('domain')).toHaveText('must be lowercase');
  await expect(wizard.field('domain').getByRole('textbox')).toHaveAttribute('aria-invalid', 'true');
  await expect(wizard.stepTitle).toHaveText('Address');
  await captureScreen(page, 'first-run-field-error');
  await wizard.fill('domain', 'media.example.org');
  await expect(wizard.errorOf('domain')).toHaveCount(0);
  await wizard.choose(/Only on this computer/);
  await wizard.nextTo('Ports');
  // Local only: no HTTPS, so no HTTPS port to choose.
  await expect(wizard.field('httpsPort')).toHaveCount(0);
  await wizard.back.click();
  await wizard.choose(/With my own domain name/);
  await wizard.wizard.getByRole('checkbox', { name: /HTTPS with a free/ }).check();
  await wizard.fill('email', 'me@example.org');
  await wizard.nextTo('Ports');

  const taken = await occupyPort();
  try {
    await wizard.fill('httpPort', String(taken.port));
    await expect(wizard.statusOf('httpPort')).toContainText(`Port ${taken.port} is already in use`);
    // The readiness checks follow the port chosen, the problem first.
    const firstCheck = wizard.doctorCard.locator('.check').first();
    await expect(firstCheck).toHaveAttribute('data-check', 'ports.http');
    await expect(firstCheck).toContainText(`Port ${taken.port} is already in use`);
    await expect(wizard.doctorCard).not.toContainText('--http-port');
    // A taken port stops the step, with what to do in the UI's words.
    await wizard.next.click();
    await expect(wizard.errorOf('httpPort')).toContainText(
      `choose another HTTP port for MediaNest`,
    );
    await expect(wizard.stepTitle).toHaveText('Ports');
    await captureScreen(page, 'first-run-port-taken');
    const [free] = await freePorts(1);
    await wizard.fill('httpPort', String(free));
    await expect(wizard.statusOf('httpPort')).toContainText(`Port ${free} is free`);
    await wizard.fill('httpsPort', String(free));
    await wizard.next.click();
    await expect(wizard.errorOf('httpsPort')).toHaveText('must differ from httpPort');
    await wizard.fill('httpPort', '70000');
    await wizard.next.click();
    await expect(wizard.errorOf('httpPort')).toHaveText('must be a whole number from 1 to 65535');
    await expect(wizard.stepTitle).toHaveText('Ports');
  } finally {
    await taken.close();
  }
});

test('the wizard installs MediaNest with the stand-in images to a healthy stack', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const [httpPort] = await freePorts(1);
  const wizard = await openWizard(page);
  await wizard.newInstall.click();
  await wizard.nextTo('Address');
  await wizard.nextTo('Ports');
  await wizard.fill('httpPort', String(httpPort));
  await expect(wizard.statusOf('httpPort')).toContainText('is free');
  await wizard.nextTo('Data folder');
  await wizard.nextTo('Images');
  await wizard.choose(/My own images/);
  // Checked before anything is saved: an image that is not MediaNest's is explained per need.
  const notMediaNest = rig.images.nginx ?? '';
  await wizard.fill('images', JSON.stringify({ ...rig.images, backend: notMediaNest }, null, 2));
  await wizard.checkImages.click();
  await expect(wizard.imageVerdict).toContainText(`It would not start: ${notMediaNest} `);
  const backend = wizard.imageCheckOf('backend');
  await expect(backend).toContainText('Problem');
  // The rig's nginx runs as root and has no migrations (it has node: the rig's base has it).
  await expect(backend.locator('[data-finding="user"]')).toContainText(
    'but the stack runs it as uid 1001',
  );
  await expect(backend.locator('[data-finding="migrations"]')).toContainText(
    'Has no database migrations',
  );
  await expect(backend.locator('[data-finding="migrations"]')).toContainText(
    "What to do: Choose an image built from MediaNest's Dockerfile",
  );
  await captureScreen(page, 'first-run-images-check');
  await wizard.fill('images', JSON.stringify(rig.images, null, 2));
  await expect(wizard.wizard).toContainText('The images above changed since this check');
  await wizard.checkImages.click();
  await expect(wizard.imageVerdict).toHaveText('The stack will start with these images.');
  await expect(wizard.imageCheckOf('frontend')).not.toContainText('Problem');
  await wizard.nextTo('Plex (optional)');
  await wizard.nextTo('Review and install');
  await expect(wizard.wizard.locator('.review')).toContainText(`HTTP ${httpPort}`);
  await expect(wizard.wizard.locator('.review')).not.toContainText('HTTPS');
  await captureScreen(page, 'first-run-review');

  // Taken since the Ports step: Install is refused, with the reason beside the ports.
  const squatter = await occupyPort(httpPort);
  try {
    await wizard.install.click();
    await expect(wizard.wizard.locator('.review')).toContainText(
      `Port ${httpPort} is already in use`,
    );
    await expect(wizard.installCard).toHaveCount(0);
  } finally {
    await squatter.close();
  }
  await wizard.install.click();
  await expect(wizard.installCard).toBeVisible();
  // Live progress: services appear as they are created, started and health-gated.
  await expect(wizard.service('postgres')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('heading', { name: 'MediaNest is ready' })).toBeVisible({
    timeout: 240_000,
  });
  for (const service of ['postgres', 'redis', 'backend', 'frontend', 'nginx']) {
    await expect(wizard.service(service)).toContainText(/running, healthy/);
  }
  await expect(wizard.installCard).toContainText(
    '5 of 5 services are running (and migrate finished its one-time setup).',
  );
  expect((await request(`http://127.0.0.1:${httpPort}/`)).status).toBe(200);
  // The recovery key is shown once: the one on screen is the one stored for this home.
  const keyText = (await page.getByLabel('Recovery key', { exact: true }).innerText()).trim();
  expect(readFileSync(join(served.app.home, 'recovery.key'), 'utf8').trim()).toBe(keyText);
  // No way out before the key is saved and confirmed.
  await expect(wizard.openMediaNest).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Open MediaNest' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Go to the dashboard' })).toBeDisabled();
  // Saved as a file, or copied for a password manager, beside Print.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download it' }).click(),
  ]);
  expect(file.suggestedFilename()).toBe('medianest-recovery-key.txt');
  expect(readFileSync(await file.path(), 'utf8')).toContain(keyText);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy it' }).click();
  await expect(page.getByText('Copied: paste it into your password manager.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(keyText);
  await expect(page.getByRole('button', { name: 'Print it' })).toBeVisible();
  await captureScreen(page, 'first-run-done');
  const confirmBox = page.getByLabel(/type its last 6 letters or digits/);
  await confirmBox.fill('ZZZZZZ');
  await expect(page.getByText('That does not match the end of the key.')).toBeVisible();
  await confirmBox.fill(keyText.replace(/[^A-Za-z0-9]/g, '').slice(-6));
  await page.getByRole('button', { name: 'I have saved my recovery key' }).click();
  await expect(page.getByLabel('Recovery key', { exact: true })).toHaveCount(0);
  await expect(wizard.openMediaNest).toHaveAttribute(
    'href',
    `http://${new URL(served.app.url).hostname}:${httpPort}/`,
  );
  // Never shown again, not even to a fresh page.
  await page.goto(new URL('/backups', served.app.url).toString());
  await expect(page.getByRole('heading', { name: 'Backups', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Recovery key', { exact: true })).toHaveCount(0);
});
