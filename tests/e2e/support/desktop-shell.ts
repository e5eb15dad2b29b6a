import type { Page } from '@playwright/test';

/** Stands in for the Electron preload's bridge: the same contract, handing over the token. */
export async function actAsDesktopShell(page: Page, token: string): Promise<void> {
  await page.addInitScript((t: string) => {
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
