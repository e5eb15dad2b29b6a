/** The text every masked secret becomes, the same as in the app's own log. */
export const MASK = '[redacted]';

/**
 * A masker for the given secret values (8+ characters: shorter ones are not values we generated).
 * Longest first, so a value that contains another is masked whole.
 */
export function createMasker(secrets: Iterable<string>): (text: string) => string {
  const values = [...new Set(secrets)]
    .filter((s) => s.length >= 8)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
    return out;
  };
}
