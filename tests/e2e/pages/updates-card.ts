import type { Locator, Page } from '@playwright/test';

/** The dashboard's Updates card: per image what runs and what is offered, the update, its history. */
export class UpdatesCard {
  readonly root: Locator;
  readonly checkNow: Locator;
  readonly lastCheck: Locator;
  /** The running update: its heading, the server's current line, the listed steps. */
  readonly run: Locator;
  readonly runStep: Locator;
  readonly progress: Locator;
  /** How the last update this page asked for ended (`data-outcome`: updated, rolled-back, …). */
  readonly outcome: Locator;
  readonly history: Locator;
  readonly rollBack: Locator;

  constructor(private readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Updates' });
    this.checkNow = this.root.getByRole('button', { name: /^(Check now|Checking…)$/ });
    this.lastCheck = this.root.locator('[data-field="last-check"]');
    this.run = this.root.locator('.update-run');
    this.runStep = this.run.locator('[data-field="update-step"]');
    this.progress = this.run.getByRole('progressbar', { name: 'Update progress' });
    this.outcome = this.root.locator('[data-outcome]');
    this.history = this.root.getByRole('list', { name: 'Update history' });
    this.rollBack = this.root.getByRole('button', { name: 'Roll back to previous version' });
  }

  /** One image's row, by the service it is named after (backend stands for backend and migrate). */
  row(service: string): Locator {
    return this.root.locator(`li[data-update="${service}"]`);
  }

  field(service: string, name: 'current' | 'available' | 'checked' | 'offline' | 'update-state') {
    return this.row(service).locator(`[data-field="${name}"]`);
  }

  button(service: string, name: string | RegExp): Locator {
    return this.row(service).getByRole('button', { name, exact: typeof name === 'string' });
  }

  /** The listed step in a state (`current`, `done`, `failed`), by its words. */
  step(words: string | RegExp): Locator {
    return this.run.locator('li.update-step').filter({ hasText: words });
  }

  /** The question asked before an update or rollback, by its title. */
  confirm(title: string): Locator {
    return this.page.getByRole('alertdialog', { name: title });
  }

  /** Types a version into the row's own field and asks for it (the question follows). */
  async askFor(service: string, version: string): Promise<void> {
    await this.row(service).getByText(`Update ${service} to another version`).click();
    await this.row(service).getByLabel(`Another version of ${service}`).fill(version);
    await this.button(service, 'Update to this version').click();
  }
}
