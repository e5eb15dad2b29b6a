import { ApiError, CheckoutRefusalSchema, type CheckoutFinding } from '@contract';
import { parseImagesText } from './settings-store-form';

/** The findings of a build refused for known defects of the checkout, or undefined. */
export function checkoutFindingsOf(error: unknown): CheckoutFinding[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return undefined;
  const refusal = CheckoutRefusalSchema.safeParse(error.details);
  return refusal.success ? refusal.data.findings : undefined;
}

/** The images a build's last step names (`Built backend=ref frontend=ref`), or undefined. */
export function builtImagesOf(step: string): Record<string, string> | undefined {
  const match = /^Built (\S+=\S+(?: \S+=\S+)*)$/.exec(step.trim());
  if (!match?.[1]) return undefined;
  return Object.fromEntries(
    match[1]
      .split(' ')
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** The images text with the built images put in (replacing those services), one per line. */
export function withBuiltImages(text: string, built: Record<string, string>): string {
  const current = parseImagesText(text);
  const merged = { ...(typeof current === 'string' ? {} : current), ...built };
  return Object.entries(merged)
    .map(([service, reference]) => `${service}: ${reference}`)
    .join('\n');
}
