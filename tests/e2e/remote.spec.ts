/**
 * The desktop manages a NAS (issue 21 §5, Chromium): a "NAS" `serve --host 0.0.0.0` (HTTPS) with
 * a stack on the rig's engine, and a "desktop" `serve` on loopback, both real processes. The user
 * adds the NAS with the code it shows, switches to it, stops and starts one of its services; the
 * desktop's tray hears the NAS's alert, named with it.
 */
import {
  createApiClient,
  remoteBase,
  subscribeEvents,
  type ServerEvent,
} from '../../server/src/contract/index.js';
import { removeComposeProject } from '../integration/support/project.js';
import { rigDocker, rigEnv } from '../integration/support/rig.js';
import { freeHttpPort } from '../integration/support/ports.js';
import { request } from '../integration/support/http.js';
import { execInService, runningContainerOf } from '../integration/support/service-exec.js';
import { hostname } from 'node:os';
import { BackupsPage } from './pages/backups-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { LogsPage } from './pages/logs-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';
import { INSTALL_TIMEOUT_MS } from './support/stack.js';

const PASSWORD = 'the NAS admin password';

test('adds a NAS with its code, switches to it, stops and starts its service; the tray names its alert', async ({
  page,
}) => {
  test.setTimeout(INSTALL_TIMEOUT_MS + 200_000);
  const rig = rigEnv();
  const docker = rigDocker(rig);
  const project = `mnaremote${process.pid}`;
  await removeComposeProject(docker, project);
  const nas = await startServe({
    args: ['--host', '0.0.0.0'],
    env: { MEDIANEST_ADMIN_PASSWORD: PASSWORD, MEDIANEST_COMPOSE_PROJECT: project },
  });
  const desktop = await startServe();
  const events: ServerEvent[] = [];
  const stream = subscribeEvents(desktop.app.url, (event) => events.push(event), {
    token: desktop.app.token,
  });
  try {
    // On the NAS: Pair a device (its admin, with its own token).
    const answer = await request(`${nas.app.url}/api/devices/pairing-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nas.app.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { code, fingerprint } = answer.json<{ code: string; fingerprint: string }>();
    expect(fingerprint).toBe(nas.app.fingerprint);

    // On the desktop: Settings, Add an appliance.
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(desktop.app, '/settings');
    const panel = page.locator('[data-panel="appliances"]');
    await panel.getByLabel('Address').fill(nas.app.url);
    await panel.getByLabel('Pairing code').fill('not-a-code');
    await panel.getByRole('button', { name: 'Add the appliance' }).click();
    await expect(panel.locator('#appliance-code-error')).toContainText('10 letters and digits');
    await panel.getByLabel('Pairing code').fill(code.toLowerCase());
    await panel.getByLabel('Name (optional)').fill('Attic NAS');
    await panel.getByRole('button', { name: 'Add the appliance' }).click();
    await expect(panel.locator('[data-notice="appliances"]')).toContainText(
      `Attic NAS is paired. Its certificate, ${fingerprint}`,
    );
    await expect(panel.locator('[data-appliance="Attic NAS"]')).toContainText(nas.app.url);
    await captureScreen(page, 'settings-appliance-added');

    // The NAS's stack, installed through the desktop (its proxy, with the device token).
    const { appliances } = await createApiClient({
      baseUrl: desktop.app.url,
      token: desktop.app.token,
    }).appliances();
    const id = appliances[0]?.id ?? '';
    const remote = createApiClient({
      baseUrl: `${desktop.app.url}${remoteBase(id)}`,
      token: desktop.app.token,
    });
    const httpPort = await freeHttpPort();
    const { jobId } = await remote.install({
      settings: { images: rig.images, httpPort, httpsPort: httpPort + 1, pullPolicy: 'never' },
    });
    await expect
      .poll(async () => (await remote.job({ id: jobId })).state, { timeout: INSTALL_TIMEOUT_MS })
      .toBe('succeeded');

    // Switch to it: every page is the NAS's now.
    const switcher = page.getByRole('combobox', { name: 'Appliance' });
    await expect(switcher).toContainText('Attic NAS (healthy)', { timeout: 30_000 });
    await switcher.selectOption({ label: 'Attic NAS (healthy)' });
    await expect(page).toHaveURL(`${desktop.app.url}/`);
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 30_000 });
    await expect(dashboard.overall).toHaveText('healthy');

    // Its settings, its live logs and its backups, all through the desktop.
    const settings = new SettingsPage(page);
    await settings.open(desktop.app.url);
    await expect(settings.field('httpPort').getByRole('textbox')).toHaveValue(String(httpPort));
    await expect(page.locator('[data-panel="devices"]')).toContainText(hostname());
    const logs = new LogsPage(page);
    await page.goto(`${desktop.app.url}/logs`);
    await expect(logs.followState).toContainText('Following live.');
    const marker = `e2e-remote-${Date.now()}`;
    const wrote = await execInService(docker, `com.docker.compose.project=${project}`, 'redis', [
      'sh',
      '-c',
      `echo "${marker}" > /proc/1/fd/1`,
    ]);
    expect(wrote.exitCode).toBe(0);
    await expect(logs.line(marker)).toBeVisible({ timeout: 15_000 });
    const backups = new BackupsPage(page);
    await backups.open(desktop.app.url);
    await expect(backups.storage).toBeVisible();
    await page.goto(`${desktop.app.url}/`);

    await dashboard.action('redis', 'Stop').click();
    await expect(dashboard.state('redis')).not.toHaveText('healthy', { timeout: 60_000 });
    await dashboard.action('redis', 'Start').click();
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 90_000 });

    // A crash on the NAS: its alert comes to the desktop's tray, named with it.
    const redis = await runningContainerOf(
      docker,
      `com.docker.compose.project=${project}`,
      'redis',
    );
    await redis.kill({ signal: 'SIGKILL' });
    await expect(dashboard.state('redis')).toHaveText('exited', { timeout: 15_000 });
    await expect
      .poll(
        () =>
          events.find(
            (e) =>
              e.type === 'tray.overall' &&
              e.state !== 'healthy' &&
              e.appliances.some((a) => a.name === 'Attic NAS' && a.state !== 'healthy'),
          ),
        { timeout: 30_000 },
      )
      .toMatchObject({ tooltip: expect.stringContaining('Attic NAS') });
    await expect
      .poll(() => events.find((e) => e.type === 'alert.raised'), { timeout: 60_000 })
      .toMatchObject({
        title: expect.stringMatching(/^Attic NAS: /),
        page: expect.stringContaining(`appliance=${id}`),
      });
    // Never a token on the desktop's own stream.
    expect(JSON.stringify(events)).not.toContain(desktop.app.token);
    await dashboard.action('redis', 'Start').click();
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 90_000 });
  } finally {
    stream.close();
    await stopServe(desktop);
    await stopServe(nas);
    await removeComposeProject(docker, project);
  }
});
