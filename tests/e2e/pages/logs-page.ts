import type { Locator, Page } from '@playwright/test';
import { AppShell } from './app-shell.js';

/** `/logs` (or a service page's log): the live list, its controls and the search results. */
export class LogsPage extends AppShell {
  readonly lines: Locator;
  readonly followState: Locator;
  readonly pause: Locator;
  readonly search: Locator;
  readonly searchButton: Locator;
  readonly results: Locator;
  readonly closeSearch: Locator;
  readonly wrap: Locator;

  constructor(page: Page) {
    super(page);
    this.lines = page.getByRole('region', { name: 'Log lines' });
    this.followState = page.locator('[data-field="follow-state"]');
    this.pause = page.getByRole('button', { name: /^(Pause|Resume)/ });
    this.search = page.getByRole('searchbox', { name: 'Search' });
    this.searchButton = page.getByRole('search').getByRole('button', { name: 'Search' });
    this.results = page.getByRole('region', { name: 'Search results' });
    this.closeSearch = this.results.getByRole('button', { name: 'Close search' });
    this.wrap = page.getByRole('checkbox', { name: 'Wrap long lines' });
  }

  line(text: string): Locator {
    return this.lines.locator('.log-line', { hasText: text });
  }

  async searchFor(text: string): Promise<void> {
    await this.search.fill(text);
    await this.searchButton.click();
  }
}
