import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * Where every e2e run leaves its screenshots (uploaded as a CI artifact; see tests/e2e/README.md):
 * `test-results/screenshots/<name>-light.png` and `<name>-dark.png`.
 */
export const SCREENSHOTS_DIR = fileURLToPath(
  new URL('../../../test-results/screenshots', import.meta.url),
);

const BLOCKING = new Set(['serious', 'critical']);

/** A readable line per axe violation that blocks: rule, impact, and the first offending elements. */
function describeViolations(
  violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations'],
): string[] {
  return violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

/**
 * Saves the page as it is now, full length, in the light and the dark theme, and checks each with
 * axe: the test fails on any `serious` or `critical` accessibility violation, naming it.
 * The page is left in the colour scheme it had before (`light` when none was emulated).
 */
export async function captureScreen(page: Page, name: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`captureScreen: name "${name}" must be kebab-case (a-z, 0-9, -)`);
  }
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const before = await page.evaluate(() =>
    window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  );
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Let CSS variables and any transition settle before the capture.
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    await page.screenshot({
      path: join(SCREENSHOTS_DIR, `${name}-${colorScheme}.png`),
      fullPage: true,
    });
    const result = await new AxeBuilder({ page }).analyze();
    expect(describeViolations(result.violations), `axe on ${name} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: before });
}
