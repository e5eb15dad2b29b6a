import { runningContainerOf } from '../integration/support/service-exec.js';
import { captureScreen } from './support/screens.js';
import { expect, test } from './support/stack.js';
import { DashboardPage } from './pages/dashboard-page.js';

test.describe('a killed container', () => {
  test('shows on its card live, with the stack no longer healthy and why; Start brings it back', async ({
    page,
    stack,
  }) => {
    test.setTimeout(150_000);
    const dashboard = new DashboardPage(page);
    await dashboard.actAsDesktopShell(stack.token);
    await dashboard.open(stack.url);
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
    await captureScreen(page, 'dashboard-service-killed');

    await dashboard.action('redis', 'Start').click();
    await expect(dashboard.state('redis')).toHaveText('healthy', { timeout: 90_000 });
    await expect(dashboard.overall).toHaveText('healthy', { timeout: 30_000 });
  });
});
