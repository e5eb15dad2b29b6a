import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createApiClient, type ApiClient } from '../../server/src/contract/index.js';
import { removeComposeProject } from '../integration/support/project.js';
import { rigDocker, rigEnv } from '../integration/support/rig.js';
import { BackupsPage, MediaApi } from './pages/backups-page.js';
import { FirstRunPage, installThroughApi } from './pages/first-run-page.js';
import { HomePage } from './pages/home-page.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mne2ebackups${process.pid}`;
let served: Awaited<ReturnType<typeof startServe>>;
let client: ApiClient;
let media: MediaApi;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await removeComposeProject(docker, PROJECT);
  served = await startServe({ env: { MEDIANEST_COMPOSE_PROJECT: PROJECT } });
  client = createApiClient({ baseUrl: served.app.url, token: served.app.token });
  media = new MediaApi(await installThroughApi(client, rig.images));
});

test.afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await stopServe(served);
});

test('a backup made and restored from the UI brings back the data as it was', async ({ page }) => {
  test.setTimeout(300_000);
  await media.seed('kept');
  const before = await media.snapshot();
  expect(before.records).toHaveLength(5);

  await new HomePage(page).actAsDesktopShell(served.app.token);
  const backups = new BackupsPage(page);
  await backups.open(served.app.url);
  await expect(backups.list).toContainText('No backups yet');
  await backups.backUpNow.click();
  await expect(backups.backedUp).toBeVisible({ timeout: 180_000 });
  await expect(backups.rows()).toHaveCount(1);
  const row = backups.rows().first();
  await expect(row).toHaveAttribute('data-state', 'verified');
  await expect(row).toContainText('Verified');
  await expect(backups.storage).toContainText('1 backup');
  // The test home keeps its backups beside the data, as a default install does.
  await expect(page.getByRole('note')).toContainText(
    'Every backup is on the same disk as MediaNest’s data',
  );
  await captureScreen(page, 'backups');

  // A copy to keep elsewhere: the very archive the backups folder holds.
  const [made] = await client.backups();
  if (!made) throw new Error('no backup listed');
  const downloading = page.waitForEvent('download');
  await row.getByRole('button', { name: /^Download/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(made.file);
  const sha256 = (path: string): string =>
    createHash('sha256').update(readFileSync(path)).digest('hex');
  expect(sha256(await download.path())).toBe(sha256(join(served.app.home, 'backups', made.file)));

  // Changes after the backup: the restore must undo them.
  await media.seed('later');
  expect((await media.snapshot()).records).toHaveLength(10);

  await row.getByRole('button', { name: /^Restore/ }).click();
  await expect(backups.restorePanel).toContainText('A safety backup of MediaNest as it is now');
  await expect(backups.restorePanel).toContainText(/\d+ database rows/);
  await captureScreen(page, 'backups-restore');
  await backups.restoreNow.click();
  // Not one line: the step under way among the six listed, with its time so far.
  const current = backups.restorePanel.locator('li[aria-current="step"]');
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('A safety backup of MediaNest', { timeout: 120_000 });
  await expect(current).toContainText(/\(now, \d+:\d\d so far\)/);
  await expect(backups.restorePanel.getByRole('timer')).toHaveText(
    /^Step 2 of 6, \d+:\d\d so far$/,
  );
  await expect(backups.restorePanel.locator('li[data-state="done"]')).toHaveCount(1);
  await captureScreen(page, 'backups-restore-progress');
  await expect(backups.restored).toBeVisible({ timeout: 240_000 });
  // Ended: every step done, the rollback not needed, nothing highlighted any more.
  await expect(backups.restorePanel.locator('li[data-state="done"]')).toHaveCount(5);
  await expect(backups.restorePanel.locator('li[data-state="not-needed"]')).toContainText(
    'the safety backup is put back',
  );
  await expect(current).toHaveCount(0);
  expect(await media.snapshot()).toEqual(before);
  // The safety backup of the state before the restore is listed too.
  await expect(backups.list).toContainText('Safety snapshot (before a restore or an update)');
});

/** Chromium sends request bodies at `bytesPerSecond` (downloads unthrottled), so progress shows. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  const set = (uploadThroughput: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await set(bytesPerSecond);
  return async () => {
    await set(-1);
    await cdp.detach();
  };
}

test('a backup file picked in the browser is sent with its progress, then restored', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // The backup made by hand in the first test (the newest is the safety backup of its restore).
  const made = (await client.backups()).find((b) => b.kind === 'manual');
  if (!made) throw new Error('the first test made no backup');
  // A copy kept elsewhere (a USB disk): not a file the server knows by name.
  const elsewhere = mkdtempSync(join(tmpdir(), 'mna-e2e-usb-'));
  const copy = join(elsewhere, 'my-copy.mnbackup');
  copyFileSync(join(served.app.home, 'backups', made.file), copy);
  const before = await media.snapshot();
  await media.seed('after-the-copy');
  expect(await media.snapshot()).not.toEqual(before);

  await new HomePage(page).actAsDesktopShell(served.app.token);
  const backups = new BackupsPage(page);
  await backups.open(served.app.url);
  const card = page.getByRole('region', { name: 'Restore from a backup file' });
  await card.getByLabel('Backup file').setInputFiles(copy);
  const unthrottle = await throttleUploads(page, 64 * 1024);
  await card.getByRole('button', { name: 'Send and check this backup' }).click();
  const progress = card.getByRole('progressbar');
  await expect(progress).toBeVisible();
  await expect(card.getByText(/^Sending my-copy\.mnbackup: \d+ % \(/)).toBeVisible();
  // Moving: some bytes are sent, not all yet.
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await captureScreen(page, 'backups-restore-upload');
  await unthrottle();
  await expect(backups.restorePanel).toContainText('Restore my-copy.mnbackup', {
    timeout: 120_000,
  });
  await expect(backups.restorePanel).toContainText('A safety backup of MediaNest as it is now');
  await backups.restoreNow.click();
  await expect(backups.restored).toBeVisible({ timeout: 240_000 });
  expect(await media.snapshot()).toEqual(before);
  // The uploaded copy served its purpose: nothing of it is left in the backups folder.
  expect(readdirSync(join(served.app.home, 'backups')).filter((f) => f.includes('upload'))).toEqual(
    [],
  );
  rmSync(elsewhere, { recursive: true, force: true });
});

test('a schedule value the server refuses is shown next to its field', async ({ page }) => {
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const backups = new BackupsPage(page);
  await backups.open(served.app.url);
  await backups.scheduleField('daily.time').getByRole('textbox').fill('25:00');
  await backups.schedule.getByRole('button', { name: 'Save the schedule' }).click();
  await expect(backups.scheduleField('daily.time').locator('.field-error')).toHaveText(
    'must be HH:MM (24-hour)',
  );
  await backups.scheduleField('daily.time').getByRole('textbox').fill('03:30');
  await backups.schedule.getByRole('button', { name: 'Save the schedule' }).click();
  await expect(backups.schedule.getByRole('status')).toHaveText('Saved.');
  expect((await client.backupSchedule()).daily.time).toBe('03:30');
});

test('the wizard’s second door reads a backup file with its recovery key before restoring', async ({
  page,
}) => {
  const [backup] = await client.backups();
  if (!backup) throw new Error('the first test made no backup');
  const file = join(served.app.home, 'backups', backup.file);
  await new HomePage(page).actAsDesktopShell(served.app.token);
  const wizard = new FirstRunPage(page);
  await wizard.open(served.app.url);
  await wizard.restoreDoor.click();
  const door = page.getByRole('region', { name: 'Restore from a backup' });
  // Picked in the browser, as a file on a USB disk would be: no path typed.
  await door.getByLabel('Backup file').setInputFiles(file);
  await door.getByLabel('Recovery key').fill('not-a-key');
  await door.getByRole('button', { name: 'Send and check this backup' }).click();
  await expect(door.locator('[data-field="recoveryKey"] .field-error')).not.toBeEmpty();
  await captureScreen(page, 'first-run-restore-error');
  const key = readFileSync(join(served.app.home, 'recovery.key'), 'utf8').trim();
  await door.getByLabel('Recovery key').fill(key);
  await door.getByRole('button', { name: 'Send and check this backup' }).click();
  const panel = new BackupsPage(page).restorePanel;
  await expect(panel).toContainText('A safety backup of MediaNest as it is now');
  await expect(panel.getByRole('button', { name: 'Restore now' })).toBeEnabled();
});
