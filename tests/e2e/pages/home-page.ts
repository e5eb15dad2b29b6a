import type { Locator, Page } from '@playwright/test';
import { actAsDesktopShell } from '../support/desktop-shell.js';

/** The first screen: app header, connection state, and the preflight card. */
export class HomePage {
  readonly heading: Locator;
  readonly connection: Locator;
  readonly signIn: Locator;
  readonly doctorCard: Locator;
  readonly verdict: Locator;
  readonly checkAgain: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'MediaNest Appliance' });
    this.connection = page.locator('.app-header [role=status]');
    this.signIn = page.getByRole('heading', { name: 'Sign in' });
    this.doctorCard = page.getByRole('region', { name: 'Is this computer ready?' });
    this.verdict = this.doctorCard.locator('.verdict');
    this.checkAgain = this.doctorCard.getByRole('button', { name: /Check again|Checking/ });
  }

  /** Stands in for the Electron preload's bridge: the same contract, handing over the token. */
  async actAsDesktopShell(token: string): Promise<void> {
    await actAsDesktopShell(this.page, token);
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  check(id: string): Locator {
    return this.doctorCard.locator(`[data-check="${id}"]`);
  }
}
