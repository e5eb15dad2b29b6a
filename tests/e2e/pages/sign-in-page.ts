import type { Locator, Page } from '@playwright/test';

/** The sign-in card a browser without a session sees, and the page a spent login link shows. */
export class SignInPage {
  readonly card: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly spentLink: Locator;

  constructor(private readonly page: Page) {
    this.card = page.getByRole('region', { name: 'Sign in' });
    this.password = this.card.getByLabel('Admin password');
    this.submit = this.card.getByRole('button', { name: /Sign in|Signing in/ });
    this.error = this.card.getByRole('alert');
    this.spentLink = page.getByRole('heading', { name: 'This sign-in link no longer works' });
  }

  /** Opens the link as a user would: pasted into the address bar. */
  async openLoginLink(loginUrl: string): Promise<void> {
    await this.page.goto(loginUrl);
  }

  /** Whether the page's own EventSource gets the server's event stream (it sends the cookie). */
  async eventStreamOpens(): Promise<boolean> {
    return this.page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const source = new EventSource('/api/events');
          source.onopen = () => {
            source.close();
            resolve(true);
          };
          source.onerror = () => {
            source.close();
            resolve(false);
          };
        }),
    );
  }

  async signInWithPassword(password: string): Promise<void> {
    await this.password.fill(password);
    await this.submit.click();
  }
}
