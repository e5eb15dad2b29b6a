import type { Locator, Page } from '@playwright/test';

/** What every signed-in page has: navigation, the live banner; and how the desktop shell signs in. */
export class AppShell {
  readonly nav: Locator;
  readonly banner: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.banner = page.locator('[data-banner]');
  }

  /** Stands in for the Electron preload's bridge: the same contract, handing over the token. */
  async actAsDesktopShell(token: string): Promise<void> {
    await this.page.addInitScript((t: string) => {
      const bridge = {
        getToken: () => Promise.resolve(t),
        chooseFolder: () => Promise.resolve(undefined),
        saveFile: () => Promise.resolve(undefined),
        revealInFolder: () => Promise.resolve(),
        version: () => Promise.resolve('e2e'),
      };
      Object.defineProperty(window, 'desktop', { value: bridge });
    }, token);
  }

  navLink(name: string | RegExp): Locator {
    return this.nav.getByRole('link', { name });
  }
}
