import type { Locator, Page } from '@playwright/test';

/** `/settings`: the stack settings with preview and apply, the secrets, about. */
export class SettingsPage {
  readonly form: Locator;
  readonly preview: Locator;
  readonly previewButton: Locator;
  readonly apply: Locator;
  readonly applied: Locator;
  readonly secrets: Locator;
  readonly about: Locator;
  readonly alerts: Locator;

  constructor(private readonly page: Page) {
    this.form = page.getByRole('region', { name: 'Stack settings' });
    this.preview = this.form.getByRole('region', { name: 'What will change' });
    this.previewButton = this.form.getByRole('button', { name: 'Preview changes' });
    this.apply = this.form.getByRole('button', { name: 'Apply these changes' });
    this.applied = this.form.getByText('The new settings are applied');
    this.secrets = page.getByRole('region', { name: 'Secrets' });
    this.about = page.getByRole('region', { name: 'About' });
    this.alerts = page.getByRole('region', { name: 'Alerts' });
  }

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/settings', baseUrl).toString());
  }

  field(name: string): Locator {
    return this.form.locator(`[data-field="${name}"]`);
  }

  errorOf(name: string): Locator {
    return this.field(name).locator('.field-error');
  }

  statusOf(name: string): Locator {
    return this.field(name).locator('.field-status');
  }

  async fill(name: string, value: string): Promise<void> {
    await this.field(name).locator('input, textarea').fill(value);
  }

  /** The services the preview says are restarted, added or removed. */
  services(which: 'recreated' | 'added' | 'removed'): Locator {
    return this.preview.locator(`[data-services="${which}"]`);
  }

  secret(name: string): Locator {
    return this.secrets.locator(`[data-secret="${name}"]`);
  }
}
