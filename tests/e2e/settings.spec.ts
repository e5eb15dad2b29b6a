import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient, type ApiClient } from '../../server/src/contract/index.js';
import { removeComposeProject } from '../integration/support/project.js';
import { request } from '../integration/support/http.js';
import { rigDocker, rigEnv } from '../integration/support/rig.js';
import { freePorts, installThroughApi, occupyPort } from './pages/first-run-page.js';
import { HomePage } from './pages/home-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mne2esettings${process.pid}`;
let served: Awaited<ReturnType<typeof startServe>>;
let client: ApiClient;
let httpPort: number;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await removeComposeProject(docker, PROJECT);
  served = await startServe({ env: { MEDIANEST_COMPOSE_PROJECT: PROJECT } });
  client = createApiClient({ baseUrl: served.app.url, token: served.app.token });
  httpPort = await installThroughApi(client, rig.images);
});

test.afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await stopServe(served);
});

test('a bad value is refused with the server’s message next to its field', async ({ page }) => {
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const settings = new SettingsPage(page);
  await settings.open(served.app.url);
  await expect(settings.field('httpPort').getByRole('textbox')).toHaveValue(String(httpPort));
  await settings.fill('resources-backend-memory', '5m');
  await settings.fill('dataDir', 'relative/folder');
  await settings.previewButton.click();
  await expect(settings.errorOf('resources-backend-memory')).toHaveText(
    'must be at least 6m (Docker refuses less)',
  );
  await expect(settings.errorOf('dataDir')).toHaveText('must be an absolute path starting with /');
  await expect(settings.preview).toHaveCount(0);
  await captureScreen(page, 'settings-field-error');
});

test('a new HTTP port is previewed (nginx restarted, the stack file’s lines) and applied', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const settings = new SettingsPage(page);
  await settings.open(served.app.url);
  const [newPort] = await freePorts(1);
  await settings.fill('httpPort', String(newPort));
  await settings.previewButton.click();
  await expect(settings.services('recreated')).toContainText('nginx');
  await expect(settings.services('recreated')).not.toContainText('postgres');
  await expect(settings.preview.locator('.diff-add')).toContainText([`${newPort}:80`]);
  await expect(settings.preview.locator('.diff-del')).toContainText([`${httpPort}:80`]);
  await captureScreen(page, 'settings-preview');

  await settings.apply.click();
  await expect(settings.applied).toBeVisible({ timeout: 150_000 });
  await expect(settings.field('httpPort').getByRole('textbox')).toHaveValue(String(newPort));
  expect((await request(`http://127.0.0.1:${newPort}/`)).status).toBe(200);
  expect(await client.settings()).toMatchObject({ httpPort: newPort });
});

test('a port another program holds is flagged live and refused; a rolled-back change shows what is in force', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const settings = new SettingsPage(page);
  await settings.open(served.app.url);
  const current = String((await client.settings()).httpPort);
  await expect(settings.field('httpPort').getByRole('textbox')).toHaveValue(current);
  // The port MediaNest's own nginx holds is not "taken".
  await expect(settings.statusOf('httpPort')).toContainText(
    `MediaNest's nginx answers on port ${current}`,
  );
  const taken = await occupyPort();
  try {
    await settings.fill('httpPort', String(taken.port));
    await expect(settings.statusOf('httpPort')).toContainText(
      `Port ${taken.port} is already in use`,
    );
    await settings.previewButton.click();
    await expect(settings.errorOf('httpPort')).toContainText('choose another HTTP port');
    await expect(settings.preview).toHaveCount(0);
    await captureScreen(page, 'settings-port-taken');
  } finally {
    await taken.close();
  }

  await settings.open(served.app.url);
  const lines = Object.entries({ ...rig.images, frontend: 'medianest-rig/not-built:1' })
    .map(([service, image]) => `${service}: ${image}`)
    .join('\n');
  await settings.field('images').locator('textarea').fill(lines);
  await settings.previewButton.click();
  await settings.apply.click();
  await expect(settings.form.getByRole('alert')).toContainText(
    'the previous settings were restored',
    { timeout: 150_000 },
  );
  // The form shows the settings in force, not the refused image.
  await expect(settings.field('images').locator('textarea')).not.toHaveValue(/not-built/);
  await expect(settings.field('images').locator('textarea')).toHaveValue(
    new RegExp(`frontend: ${rig.images.frontend}`),
  );
});

test('secrets are listed by name, age and consumers; rotating one asks first', async ({ page }) => {
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const settings = new SettingsPage(page);
  await settings.open(served.app.url);
  const row = settings.secret('postgres_password');
  await expect(row.locator('td').first()).toHaveText(/^\d+ (min|hours?|days?)$/);
  await expect(row.locator('td').nth(1)).toContainText('postgres');
  await settings
    .secret('postgres_password')
    .getByRole('button', { name: /Rotate/ })
    .click();
  await expect(page.getByRole('alertdialog')).toContainText('Rotate “Database password”?');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await captureScreen(page, 'settings');
});

test('alert rules refuse a bad value next to its field; a webhook channel is saved and tested', async ({
  page,
}) => {
  const received: string[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const port = (hook.address() as AddressInfo).port;
  try {
    await new HomePage(page).actAsDesktopShell(served.app.token);
    const settings = new SettingsPage(page);
    await settings.open(served.app.url);
    const restarts = settings.alerts.locator('[data-field="alert-crashLoop-restarts"]');
    await restarts.getByRole('textbox').fill('1');
    await settings.alerts.getByRole('button', { name: 'Save the rules' }).click();
    await expect(restarts.locator('.field-error')).toContainText('2');
    await restarts.getByRole('textbox').fill('4');
    await settings.alerts.getByRole('button', { name: 'Save the rules' }).click();
    await expect(settings.alerts.getByText('Saved.')).toBeVisible();
    expect((await client.alertSettings()).crashLoop.restarts).toBe(4);

    await settings.alerts.getByRole('button', { name: 'Add a channel' }).click();
    const channel = settings.alerts.locator('[data-channel="0"]');
    await channel.getByLabel('Name').fill('Home hook');
    await channel.getByLabel('Short id').fill('Home Hook');
    await channel.getByLabel('Webhook address').fill(`http://127.0.0.1:${port}/hook`);
    await settings.alerts.getByRole('button', { name: 'Save the channels' }).click();
    await expect(channel.locator('[data-field="channel-0-id"] .field-error')).toContainText(
      'lowercase',
    );
    await channel.getByLabel('Short id').fill('home');
    await settings.alerts.getByRole('button', { name: 'Save the channels' }).click();
    await expect(channel.getByRole('button', { name: /Send a test/ })).toBeVisible();
    await channel.getByRole('button', { name: /Send a test/ }).click();
    await expect(channel.getByRole('status')).toHaveText('Test delivered.');
    expect(received.some((line) => line.startsWith('POST /hook'))).toBe(true);
    await captureScreen(page, 'settings-alerts');
  } finally {
    await new Promise((resolve) => hook.close(resolve));
  }
});
