import { AppError } from '../app-error.js';

export interface SearchSpec {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

/**
 * A predicate for one search. Lines are masked before they are matched, so a search cannot be
 * used to probe for a secret's value. Regular expressions are JavaScript's, without flags from the
 * user; the pattern length is capped by the contract.
 */
export function lineMatcher(spec: SearchSpec): (text: string) => boolean {
  if (spec.regex) {
    let re: RegExp;
    try {
      re = new RegExp(spec.query, spec.caseSensitive ? '' : 'i');
    } catch (error) {
      throw new AppError(
        'validation_failed',
        `query: not a valid regular expression (${(error as Error).message})`,
        { field: 'query' },
      );
    }
    return (text) => re.test(text);
  }
  if (spec.caseSensitive) return (text) => text.includes(spec.query);
  const needle = spec.query.toLowerCase();
  return (text) => text.toLowerCase().includes(needle);
}
