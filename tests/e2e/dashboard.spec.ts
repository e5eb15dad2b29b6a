import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

const LONG_RUNNING = ['backend', 'frontend', 'nginx', 'postgres', 'redis'];

test.describe('the dashboard of an installed stack', () => {
  test('shows every service of the stack, healthy, with the overall status', async ({
    page,
    stack,
  }) => {
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.overall).toHaveText('healthy');
    const names = (await stack.client.stackStatus({})).map((s) => s.service).sort();
    expect(names).toEqual(expect.arrayContaining([...LONG_RUNNING, 'migrate']));
    await expect(dashboard.cards).toHaveCount(names.length);
    for (const service of LONG_RUNNING) {
      await expect(dashboard.state(service), service).toHaveText('healthy');
    }
    // Published ports are on the card: nginx answers on the port the install chose.
    await expect(dashboard.card('nginx')).toContainText(/\d+->80/);
    await captureScreen(page, 'dashboard');
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
    await expect(dashboard.state('frontend')).toHaveText('exited', { timeout: 30_000 });
    await expect(dashboard.job).toContainText('done');
    await expect(dashboard.overall).toHaveText('degraded');
    await expect(dashboard.reason).toContainText('frontend');
    await expect(dashboard.action('frontend', 'Start')).toBeEnabled();
    await captureScreen(page, 'dashboard-service-stopped');

    await dashboard.action('frontend', 'Start').click();
    await expect(dashboard.state('frontend')).toHaveText('healthy', { timeout: 60_000 });
    await expect(dashboard.overall).toHaveText('healthy');
    // The engine agrees with what the page showed.
    const frontend = (await stack.client.stackStatus({})).find((s) => s.service === 'frontend');
    expect(frontend).toMatchObject({ state: 'running', health: 'healthy' });
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
