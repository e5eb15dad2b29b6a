/**
 * The dashboard's Updates card in Chromium (issue 18): a real server on the rig whose stack runs
 * the backend from a real registry (Debian's docker-registry on loopback) at v1, with v2 and v3
 * pushed beside it (and v2-broken, which the card never offers: another variant).
 * - the card shows what is available after "Check now"; skip and pin change what is offered;
 * - an update to v2-broken typed in the card, asked for and confirmed: its steps and progress while
 *   it runs, then the rollback message with the reason the history holds; the dashboard healthy
 *   on v1 again, the data as before;
 * - the offered update to v3 (v2's image under a newer tag) succeeds: "Updated to v3", the new
 *   answer through nginx; "Roll back to previous version" in the history brings v1 back. Two
 *   successful updates in one home: the second's clean-up removes what the first replaced, which
 *   here is only this test's own registry tags, never the rig's images.
 */
import type { ApiClient } from '../../server/src/contract/index.js';
import { createApiClient } from '../../server/src/contract/index.js';
import { request } from '../integration/support/http.js';
import { removeComposeProject } from '../integration/support/project.js';
import { startRegistry, type LocalRegistry } from '../integration/support/registry.js';
import { backendVersionImages, rigDocker, rigEnv } from '../integration/support/rig.js';
import { runningContainerOf } from '../integration/support/service-exec.js';
import { MediaApi } from './pages/backups-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { installThroughApi } from './pages/first-run-page.js';
import { UpdatesCard } from './pages/updates-card.js';
import { expect, startServe, stopServe, test } from './serve-fixture.js';
import { captureScreen } from './support/screens.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const versions = backendVersionImages(rig);
const PROJECT = `mne2eupdates${process.pid}`;
const LABEL = `com.docker.compose.project=${PROJECT}`;
/** An update that fails: preflight, snapshot, the new version's health gate, then the rollback. */
const UPDATE_MS = 600_000;

let registry: LocalRegistry;
let served: Awaited<ReturnType<typeof startServe>> | undefined;
let client: ApiClient;
let media: MediaApi;
let httpPort = 0;
let repo = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  await removeComposeProject(docker, PROJECT);
  registry = await startRegistry();
  repo = `${registry.host}/medianest/backend`;
  // Tagged here by the push with the digests the registry gave: as if pulled from it. These are
  // this test's own tags: the update's clean-up of replaced images never touches the rig's.
  await registry.push(docker, versions.v1, 'medianest/backend:v1');
  await registry.push(docker, versions.v2, 'medianest/backend:v2');
  await registry.push(docker, versions.v2, 'medianest/backend:v3');
  await registry.push(docker, versions['v2-broken'], 'medianest/backend:v2-broken');
  served = await startServe({ env: { MEDIANEST_COMPOSE_PROJECT: PROJECT } });
  client = createApiClient({ baseUrl: served.app.url, token: served.app.token });
  const v1 = `${repo}:v1`;
  httpPort = await installThroughApi(client, { ...rig.images, backend: v1, migrate: v1 });
  media = new MediaApi(httpPort);
});

test.afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  if (served) await stopServe(served);
  for (const tag of ['v1', 'v2', 'v3', 'v2-broken'])
    await docker
      .getImage(`${repo}:${tag}`)
      .remove()
      .catch(() => undefined);
  await registry?.stop();
});

test('the card shows what the registry has; skip and pin change what is offered', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dashboard = new DashboardPage(page);
  const updates = new UpdatesCard(page);
  if (!served) throw new Error('no server');
  await dashboard.openAsDesktop(served.app);
  await expect(updates.root).toBeVisible();
  await updates.checkNow.click();
  await expect(updates.checkNow).toHaveText('Check now', { timeout: 60_000 });
  await expect(updates.lastCheck).toContainText('Last checked just now');

  // backend and migrate run one image: one row, offered the newest of v2 and v3, never v2-broken.
  await expect(updates.field('backend', 'update-state')).toHaveText('update available');
  await expect(updates.field('backend', 'current')).toContainText(`v1 ${repo}:v1`);
  await expect(updates.field('backend', 'available')).toHaveText('v2 (major), v3 (major)');
  await expect(updates.field('backend', 'checked')).toHaveText('just now');
  await expect(updates.row('migrate')).toHaveCount(0);
  await expect(updates.button('backend', 'Update to v3')).toBeEnabled();
  // The rig's other images were built here: no registry is asked about them.
  await expect(updates.field('postgres', 'update-state')).toHaveText('built here');
  await expect(updates.button('postgres', /^Update/)).toHaveCount(0);
  await captureScreen(page, 'dashboard-updates');

  // Skipping v3 leaves v2 on offer; the skip is said, and undone with one button.
  await updates.button('backend', 'Skip v3').click();
  await expect(updates.button('backend', 'Update to v2')).toBeVisible();
  await expect(updates.field('backend', 'available')).toHaveText('v2 (major)');
  await expect(updates.row('backend')).toContainText(
    'Skipping v3: newer versions are still offered.',
  );
  expect((await client.updates()).settings.skipped).toEqual({ backend: 'v3', migrate: 'v3' });
  await updates.button('backend', 'Stop skipping v3').click();
  await expect(updates.button('backend', 'Update to v3')).toBeVisible();

  // Pinned: nothing is offered until unpinned, though what the check found is still shown.
  await updates.button('backend', 'Pin to v1').click();
  await expect(updates.field('backend', 'update-state')).toHaveText('pinned');
  await expect(updates.button('backend', /^Update to v/)).toHaveCount(0);
  await expect(updates.row('backend')).toContainText('Pinned to v1: nothing newer is offered');
  expect((await client.updates()).settings.pinned).toEqual({ backend: true, migrate: true });
  await updates.button('backend', 'Unpin').click();
  await expect(updates.button('backend', 'Update to v3')).toBeVisible();
  expect((await client.updates()).settings).toMatchObject({ pinned: {}, skipped: {} });
});

test('an update to v2-broken shows its steps, then the rollback and why; MediaNest stays on v1', async ({
  page,
}) => {
  test.setTimeout(UPDATE_MS + 120_000);
  if (!served) throw new Error('no server');
  await media.seed('before-update');
  const before = await media.snapshot();
  const dashboard = new DashboardPage(page);
  const updates = new UpdatesCard(page);
  await dashboard.openAsDesktop(served.app);
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 60_000 });

  await updates.askFor('backend', 'v2-broken');
  const question = updates.confirm('Update backend from v1 to v2-broken?');
  await expect(question).toContainText('a safety snapshot of MediaNest is taken');
  await expect(question).toContainText('goes back to v1 by itself, with its data as before');
  await question.getByRole('button', { name: 'Yes, update to v2-broken' }).click();

  // While it runs: the steps, the current one marked, the server's line, the progress bar.
  await expect(updates.run.getByRole('heading')).toHaveText(
    'Updating backend from v1 to v2-broken',
  );
  await expect(updates.progress).toBeVisible();
  await expect(updates.step('Safety snapshot')).toHaveAttribute('data-state', /current|done/, {
    timeout: 120_000,
  });
  await expect(updates.step('Preflight')).toHaveAttribute('data-state', 'done');
  await expect(updates.runStep).not.toHaveText('');
  // Nothing else can start meanwhile.
  await expect(updates.button('backend', 'Update to this version')).toBeDisabled();
  // The new version never answers: the rollback is listed and under way, where it failed said.
  await expect(updates.step('Rolling back')).toHaveAttribute('data-state', 'current', {
    timeout: UPDATE_MS,
  });
  await expect(updates.step('The new version')).toHaveAttribute('data-state', 'failed');
  await expect(updates.runStep).toContainText('Rolling back');
  await captureScreen(page, 'dashboard-update-rolling-back');

  await expect(updates.outcome).toHaveAttribute('data-outcome', 'rolled-back', {
    timeout: UPDATE_MS,
  });
  const [record] = await client.updatesHistory();
  expect(record).toMatchObject({ result: 'rolled-back', target: 'v2-broken' });
  await expect(updates.outcome).toContainText(
    'The update to v2-broken did not work, so it was rolled back. MediaNest runs the previous version (v1) with its data as before.',
  );
  // Why, as the history records it: its first sentence, then the new version's last output.
  const [why = '', ...output] = (record?.reason ?? '').split('\n');
  await expect(updates.outcome.locator('[data-field="reason"]')).toHaveText(`Why: ${why.trim()}`);
  const lastLine = output
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  expect(lastLine, 'the reason carries the new backend’s last output').toBeTruthy();
  await expect(updates.outcome.getByLabel('Its last output')).toContainText(lastLine ?? '');
  expect(record?.reason).toMatch(/healthy/i);
  await expect(updates.history.locator('li').first()).toHaveAttribute('data-result', 'rolled-back');
  await expect(updates.history.locator('li').first()).toContainText(
    'backend and migrate: v1 → v2-broken',
  );
  // The dashboard's own job line leaves the update to the card.
  await expect(dashboard.job.filter({ hasText: 'update' })).toHaveCount(0);
  await captureScreen(page, 'dashboard-update-rolled-back');

  // Healthy on v1, with the data as it was.
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 120_000 });
  await expect(dashboard.state('backend')).toHaveText('healthy');
  await expect(updates.field('backend', 'current')).toContainText(`v1 ${repo}:v1`);
  const backend = await runningContainerOf(docker, LABEL, 'backend');
  expect((await backend.inspect()).Config.Image).toBe(`${repo}:v1`);
  expect(await media.snapshot()).toEqual(before);
});

/** What the backend answers through nginx: its version (nginx's limiter may ask us to wait). */
async function answeredVersion(): Promise<string | undefined> {
  for (let tries = 0; ; tries += 1) {
    const res = await request(`http://127.0.0.1:${httpPort}/api/health`);
    if (res.status !== 429 || tries >= 20)
      return (JSON.parse(res.body.toString()) as { version?: string }).version;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test('the offered update succeeds; "Roll back to previous version" brings v1 back', async ({
  page,
}) => {
  test.setTimeout(2 * UPDATE_MS + 120_000);
  if (!served) throw new Error('no server');
  const before = await media.snapshot();
  const dashboard = new DashboardPage(page);
  const updates = new UpdatesCard(page);
  await dashboard.openAsDesktop(served.app);
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 60_000 });
  expect(await answeredVersion()).toBe('v1');

  // Checked afresh, so this test stands on its own.
  await updates.checkNow.click();
  await expect(updates.checkNow).toHaveText('Check now', { timeout: 60_000 });
  await updates.button('backend', 'Update to v3').click();
  await updates
    .confirm('Update backend from v1 to v3?')
    .getByRole('button', { name: 'Yes, update to v3' })
    .click();
  await expect(updates.run.getByRole('heading')).toHaveText('Updating backend from v1 to v3');
  await expect(updates.outcome).toHaveAttribute('data-outcome', 'updated', { timeout: UPDATE_MS });
  await expect(updates.outcome).toHaveText('Updated to v3: backend runs it now and answers.');
  await expect(updates.field('backend', 'current')).toContainText(`v3 ${repo}:v3`);
  await expect(updates.history.locator('li').first()).toHaveAttribute('data-result', 'succeeded');
  await expect(updates.history.locator('li').first()).toContainText('backend and migrate: v1 → v3');
  // v3 is v2's image: its answer through nginx says so.
  expect(await answeredVersion()).toBe('v2');

  await updates.rollBack.click();
  const question = updates.confirm('Roll back backend from v3 to v1?');
  await expect(question).toContainText('anything written in MediaNest since then is lost');
  await question.getByRole('button', { name: 'Yes, roll back to v1' }).click();
  await expect(updates.run.getByRole('heading')).toHaveText('Rolling back backend from v3 to v1');
  await expect(updates.outcome).toHaveAttribute('data-outcome', 'updated', { timeout: UPDATE_MS });
  await expect(updates.outcome).toHaveText('Rolled back to v1: backend runs it now and answers.');
  await expect(updates.history.locator('li').first()).toContainText(
    'Rollback backend and migrate: v3 → v1',
  );
  await expect(updates.field('backend', 'current')).toContainText(`v1 ${repo}:v1`);
  await expect(dashboard.overall).toHaveText('healthy', { timeout: 120_000 });
  expect(await answeredVersion()).toBe('v1');
  expect(await media.snapshot()).toEqual(before);
});
