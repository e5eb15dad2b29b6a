import type { Locator, Page } from '@playwright/test';
import { AppShell } from './app-shell.js';

/** `/`: the overall status, a card per service with its actions, alerts and disk. */
export class DashboardPage extends AppShell {
  readonly overall: Locator;
  readonly reason: Locator;
  readonly cards: Locator;
  readonly alerts: Locator;
  readonly job: Locator;
  /** The header's one status: the server and Docker behind it. */
  readonly connection: Locator;
  readonly setupSteps: Locator;
  readonly wholeStack: Locator;

  constructor(page: Page) {
    super(page);
    this.overall = page.locator('[data-field="overall"]');
    this.reason = page.locator('[data-field="reason"]');
    this.cards = page.locator('article[data-service]');
    this.alerts = page.getByRole('region', { name: 'Active alerts' });
    this.job = page.locator('[data-job]');
    this.connection = page.locator('[data-field="connection"]');
    this.setupSteps = page.getByRole('region', { name: 'Setup steps' });
    this.wholeStack = page.getByRole('group', { name: 'Whole stack' });
  }

  /** A one-shot job shown as a setup step (e.g. `migrate`). */
  step(job: string): Locator {
    return this.setupSteps.locator(`li[data-step="${job}"]`);
  }

  /** The "affected" line of a card: the services it needs that are down. */
  affected(service: string): Locator {
    return this.card(service).locator('[data-field="affected"]');
  }

  card(service: string): Locator {
    return this.page.getByRole('article', { name: service, exact: true });
  }

  state(service: string): Locator {
    return this.card(service).locator('[data-field="state"]');
  }

  /** A firing alert in the "Active alerts" card, by its rule (e.g. `exited-nonzero`). */
  alert(rule: string): Locator {
    return this.alerts.locator(`li[data-alert="${rule}"]`);
  }

  action(service: string, action: 'Start' | 'Stop' | 'Restart'): Locator {
    return this.card(service).getByRole('button', { name: action, exact: true });
  }
}
