import type { Locator, Page } from '@playwright/test';
import { actAsDesktopShell } from '../support/desktop-shell.js';

/** What every signed-in page has: navigation, the live banner; and how the desktop shell signs in. */
export class AppShell {
  readonly nav: Locator;
  readonly banner: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.banner = page.locator('[data-banner]');
  }

  /** Opens `path` as the desktop app's window does: signed in with the token. Once per page. */
  async openAsDesktop(app: { url: string; token: string }, path = '/'): Promise<void> {
    await actAsDesktopShell(this.page, app.token);
    await this.page.goto(`${app.url}${path}`);
  }

  navLink(name: string | RegExp): Locator {
    return this.nav.getByRole('link', { name });
  }
}
