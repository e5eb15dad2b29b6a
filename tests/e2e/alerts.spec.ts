import { runningContainerOf } from '../integration/support/service-exec.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

test.describe('a killed container', () => {
  test('shows on its card live, raises an alert the user can acknowledge; Start brings it back and resolves it', async ({
    page,
    stack,
  }) => {
    test.setTimeout(150_000);
    const dashboard = new DashboardPage(page);
    await dashboard.openAsDesktop(stack);
    await expect(dashboard.state('redis')).toHaveText('healthy');
    await expect(dashboard.overall).toHaveText('healthy');

    const redis = await runningContainerOf(
      stack.docker,
      `com.docker.compose.project=${stack.project}`,
      'redis',
    );
    await redis.kill({ signal: 'SIGKILL' });

    // No reload: the page learns it from the event stream.
    await expect(dashboard.state('redis')).toHaveText('exited', { timeout: 15_000 });
    await expect(dashboard.overall).not.toHaveText('healthy');
    await expect(dashboard.reason).toContainText('redis');
    // The alert engine waits 10 s (its default) before calling a non-zero exit an alert.
    const alert = dashboard.alert('exited-nonzero');
    await expect(alert).toContainText('redis stopped with exit code 137', { timeout: 45_000 });
    await expect(dashboard.navLink(/Alerts/)).toContainText('1');
    await captureScreen(page, 'dashboard-service-killed');
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(alert).toContainText('acknowledged');
    await expect(alert.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);

    await dashboard.action('redis', 'Start').click();
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 90_000 });
    await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });
    // Once redis runs again (and stays up a while), the alert resolves and leaves the firing list.
    await expect(dashboard.alert('exited-nonzero')).toHaveCount(0, { timeout: 60_000 });
    const { history } = await stack.client.alerts({});
    expect(history.find((a) => a.rule === 'exited-nonzero' && a.subject === 'redis')).toMatchObject(
      { state: 'resolved' },
    );
  });
});
