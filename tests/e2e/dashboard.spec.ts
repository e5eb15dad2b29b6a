import { runningContainerOf } from '../integration/support/service-exec.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

const LONG_RUNNING = ['backend', 'frontend', 'nginx', 'postgres', 'redis'];

test.describe('the dashboard of an installed stack', () => {
  test('shows every service healthy, and the migrations as a done setup step, not a service', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.overall).toHaveText('healthy');
    const names = (await stack.client.stackStatus({})).map((s) => s.service).sort();
    expect(names).toEqual(expect.arrayContaining([...LONG_RUNNING, 'migrate']));
    // Every service but the one-shot job has a card.
    await expect(dashboard.cards).toHaveCount(names.length - 1);
    await expect(dashboard.card('migrate')).toHaveCount(0);
    for (const service of LONG_RUNNING) {
      await expect(dashboard.state(service), service).toHaveText('healthy');
    }
    // The job that ran once is a step that is done: nothing to start or stop.
    await expect(dashboard.step('migrate')).toHaveAttribute('data-state', 'done');
    await expect(dashboard.step('migrate')).toContainText('Database up to date');
    await expect(dashboard.setupSteps.getByRole('button')).toHaveCount(0);
    // Published ports are on the card in words: nginx answers on the port the install chose.
    const httpPort = Number((await stack.client.settings()).httpPort);
    expect(httpPort).toBeGreaterThan(0);
    await expect(dashboard.card('nginx').locator('[data-field="ports"]')).toContainText(
      `Open to your network on port ${httpPort}`,
    );
    await expect(dashboard.card('nginx')).not.toContainText('->');
    // CPU says of what, and the dashed line of each chart says what it is.
    await expect(dashboard.card('nginx').locator('[data-field="cpu"]')).toHaveText(
      /^CPU \d+\.\d % of one core$/,
      { timeout: 15_000 },
    );
    await expect(
      dashboard.card('nginx').getByRole('img', { name: /dashed line: one core/ }),
    ).toBeVisible();
    await captureScreen(page, 'dashboard');
    // The install itself (services created one after another, missing meanwhile) raised no
    // alert. (Other specs of this worker break things on purpose once it has finished.)
    const install = (await stack.client.jobs({ limit: 50 })).find((j) => j.kind === 'install');
    expect(install?.finishedAt).toEqual(expect.any(String));
    const finished = Date.parse(install?.finishedAt ?? '');
    const { history } = await stack.client.alerts({});
    const early = history.filter((a) => Date.parse(a.firedAt) <= finished);
    expect(early.map((a) => `${a.rule} ${a.subject}`)).toEqual([]);
  });

  test("the migrations' own page shows them done, with nothing to start or stop", async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack, '/services/migrate');
    const main = page.getByRole('main');
    await expect(main.getByRole('heading', { name: 'migrate', exact: true })).toBeVisible();
    await expect(main.locator('[data-field="state"]')).toHaveText('done');
    await expect(main.locator('[data-field="job-summary"]')).toContainText('not a service');
    await expect(main.getByRole('button', { name: /^(Start|Stop)$/ })).toHaveCount(0);
    await captureScreen(page, 'service-migrate');
  });

  test('stops and starts a service from its card, the state changing live', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.state('frontend')).toHaveText('healthy', { timeout: 15_000 });

    await dashboard.action('frontend', 'Stop').click();
    // While the job runs, no second action can be started from any card.
    await expect(dashboard.action('postgres', 'Restart')).toBeDisabled();
    await expect(dashboard.state('frontend')).toHaveText('stopped', { timeout: 30_000 });
    await expect(dashboard.job).toContainText('done');
    // Without its web front end, MediaNest cannot be used: down, and nginx cannot work.
    await expect(dashboard.overall).toHaveText('down');
    await expect(dashboard.reason).toContainText('frontend is stopped');
    await expect(dashboard.affected('nginx')).toContainText('frontend');
    await expect(dashboard.action('frontend', 'Start')).toBeEnabled();
    await captureScreen(page, 'dashboard-service-stopped');

    await dashboard.action('frontend', 'Start').click();
    await expect(dashboard.state('frontend')).toHaveText('healthy', { timeout: 60_000 });
    await expect(dashboard.overall).toHaveText('healthy');
    await expect(dashboard.affected('nginx')).toHaveCount(0);
    // The engine agrees with what the page showed.
    const frontend = (await stack.client.stackStatus({})).find((s) => s.service === 'frontend');
    expect(frontend).toMatchObject({ state: 'running', health: 'healthy' });
  });

  test('Redis stopped: MediaNest down in red, its dependents affected, a critical alert within 15 s', async ({
    page,
    stack,
  }) => {
    test.setTimeout(180_000);
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });

    const label = `com.docker.compose.project=${stack.project}`;
    const redis = await runningContainerOf(stack.docker, label, 'redis');
    await redis.stop({ t: 10 });
    const stoppedAt = Date.now();

    await expect(dashboard.state('redis')).toHaveText('stopped', { timeout: 15_000 });
    await expect(dashboard.state('redis')).toHaveClass(/badge-fail/);
    await expect(dashboard.overall).toHaveText('down');
    await expect(dashboard.overall).toHaveClass(/badge-fail/);
    await expect(dashboard.reason).toContainText('redis is stopped');
    for (const service of ['backend', 'frontend', 'nginx']) {
      await expect(dashboard.affected(service), service).toContainText('redis');
    }
    await expect(dashboard.affected('postgres')).toHaveCount(0);
    // A finished one-shot job does not look like a stopped Redis.
    await expect(dashboard.step('migrate')).toHaveAttribute('data-state', 'done');

    const alert = dashboard.alert('service-stopped');
    await expect(alert).toContainText('redis is stopped', {
      timeout: Math.max(1, 15_000 - (Date.now() - stoppedAt)),
    });
    await expect(alert).toContainText('critical');
    await expect(dashboard.navLink(/Alerts/)).toContainText(/[1-9]/);
    await captureScreen(page, 'dashboard-redis-stopped');

    await dashboard.action('redis', 'Start').click();
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 60_000 });
    await expect(dashboard.overall).toHaveText('healthy', { timeout: 90_000 });
    for (const service of ['backend', 'frontend', 'nginx']) {
      await expect(dashboard.affected(service), service).toHaveCount(0);
    }

    // Over a minute after the migrations ended, none of it raised an alert about them.
    const migrate = (await stack.docker.listContainers({ all: true })).find(
      (c) =>
        c.Labels['com.docker.compose.project'] === stack.project &&
        c.Labels['com.docker.compose.service'] === 'migrate',
    );
    const finishedAt = Date.parse(
      (await stack.docker.getContainer(migrate!.Id).inspect()).State.FinishedAt,
    );
    const wait = finishedAt + 70_000 - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
    const { firing, history } = await stack.client.alerts({});
    expect([...firing, ...history].filter((a) => a.subject === 'migrate')).toEqual([]);
  });

  test('says in place when live updates are reconnecting, and picks up again', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await page.route('**/api/events', (route) => route.abort('connectionrefused'));
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.banner).toContainText('Live updates: reconnecting…');
    // The page is not blank meanwhile: the services are there, from the API.
    await expect(dashboard.state('postgres')).toHaveText('healthy');
    await page.unroute('**/api/events');
    await expect(dashboard.banner).toHaveCount(0, { timeout: 20_000 });
  });
});
