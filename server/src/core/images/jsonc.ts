/**
 * JSON with comments and trailing commas, as `tsconfig.json` allows (TypeScript reads it so; plain
 * JSON.parse refuses MediaNest's own backend/tsconfig.json, which has `//` comments).
 */

/**
 * The text with every comment and trailing comma turned into spaces: the same length and the same
 * lines, so an offset in it is an offset in the file.
 */
export function blankJsonComments(text: string): string {
  // UTF-16 units, as indexOf counts them.
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let j = from; j < to; j++) if (out[j] !== '\n' && out[j] !== '\r') out[j] = ' ';
  };
  let lastComma = -1;
  while (i < out.length) {
    const ch = out[i];
    if (ch === '"') {
      lastComma = -1;
      for (i++; i < out.length && out[i] !== '"'; i++) if (out[i] === '\\') i++;
      i++;
    } else if (ch === '/' && out[i + 1] === '/') {
      const end = out.indexOf('\n', i);
      const to = end < 0 ? out.length : end;
      blank(i, to);
      i = to;
    } else if (ch === '/' && out[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const to = end < 0 ? out.length : end + 2;
      blank(i, to);
      i = to;
    } else {
      if (ch === ',') lastComma = i;
      else if ((ch === '}' || ch === ']') && lastComma >= 0) out[lastComma] = ' ';
      if (ch !== undefined && !/\s/.test(ch) && ch !== ',') lastComma = -1;
      i++;
    }
  }
  return out.join('');
}

/** Parses JSON that may have comments and trailing commas; throws a SyntaxError as JSON.parse does. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(blankJsonComments(text.replace(/^\uFEFF/, '')));
}

/** The 1-based line of the first `"key":` outside comments, or undefined. */
export function lineOfKey(text: string, key: string): number | undefined {
  const blanked = blankJsonComments(text);
  const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).exec(blanked);
  return match ? blanked.slice(0, match.index).split('\n').length : undefined;
}
