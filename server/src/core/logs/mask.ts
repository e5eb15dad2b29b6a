/** The text every masked secret becomes, the same as in the app's own log. */
export const MASK = '[redacted]';

/** Shorter values are not values we generated (ports, names): masking them would hide real text. */
export const MIN_SECRET_LENGTH = 8;

/**
 * A run of a secret's random part this long is masked wherever it appears, so a secret cut short
 * (a truncated header, a wrapped line, a value with a prefix) still does not show.
 */
export const MIN_FRAGMENT_LENGTH = 16;

/**
 * The random part of a value: letters, digits, `+` and `/` (hex and base64). Fragments are taken
 * only from runs of these, because the framing around them is public text that also appears in
 * logs on its own: `postgresql://medianest:` of database_url, `-----BEGIN CERTIFICATE-----`.
 */
const RANDOM_RUN = /[a-z0-9+/]{16,}/g;

const BASE = 131;

/** ASCII letters only: every generated value is ASCII, and folding keeps every index in place. */
function fold(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

function foldText(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/** The rolling hash of `length` folded code units of `text` from `start`. */
function hashAt(text: string, start: number, length: number): number {
  let h = 0;
  for (let i = start; i < start + length; i++)
    h = (Math.imul(h, BASE) + fold(text.charCodeAt(i))) | 0;
  return h;
}

/** Every 16-unit window of the values' random runs, by rolling hash (Rabin-Karp). */
interface Windows {
  /** BASE^(MIN_FRAGMENT_LENGTH-1), to drop the leaving code unit. */
  top: number;
  byHash: Map<number, string[]>;
}

/**
 * What to look for: every value whole (so a leaked value shows as one mask, its framing included),
 * and every 16-unit window of its random runs (so a piece of it cut out of its framing does too).
 */
function patternsOf(values: Iterable<string>): { windows: Windows; wholes: string[] } {
  const windows = new Set<string>();
  const wholes = new Set<string>();
  for (const value of new Set(values)) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    const folded = foldText(value);
    wholes.add(folded);
    for (const run of folded.matchAll(RANDOM_RUN)) {
      for (let i = 0; i + MIN_FRAGMENT_LENGTH <= run[0].length; i++) {
        windows.add(run[0].slice(i, i + MIN_FRAGMENT_LENGTH));
      }
    }
  }
  let top = 1;
  for (let i = 1; i < MIN_FRAGMENT_LENGTH; i++) top = Math.imul(top, BASE);
  const byHash = new Map<number, string[]>();
  for (const window of windows) {
    const h = hashAt(window, 0, MIN_FRAGMENT_LENGTH);
    const same = byHash.get(h);
    if (same) same.push(window);
    else byHash.set(h, [window]);
  }
  // Longest first, so a value that contains another is masked whole.
  return { windows: { top, byHash }, wholes: [...wholes].sort((x, y) => y.length - x.length) };
}

/** The code units of a random run, either case: a table, as this runs for every log line. */
const IN_RUN = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  IN_RUN[c.charCodeAt(0)] = 1;
}

/** Calls `each` for every stretch of 16+ run units: most log lines have none. */
function eachCandidate(text: string, each: (from: number, to: number) => void): void {
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    if (code < 128 && IN_RUN[code] === 1) continue;
    if (i - start >= MIN_FRAGMENT_LENGTH) each(start, i);
    start = i + 1;
  }
}

function matches(text: string, at: number, pattern: string): boolean {
  for (let j = 0; j < pattern.length; j++) {
    if (fold(text.charCodeAt(at + j)) !== pattern.charCodeAt(j)) return false;
  }
  return true;
}

/** Adds the [start, end) of every window found inside text[from, to) to `found`. */
function scan(text: string, from: number, to: number, windows: Windows, found: number[]): void {
  const length = MIN_FRAGMENT_LENGTH;
  const { top, byHash } = windows;
  let h = hashAt(text, from, length);
  for (let i = from; ; i++) {
    const same = byHash.get(h);
    if (same?.some((window) => matches(text, i, window))) found.push(i, i + length);
    if (i + length >= to) return;
    const leaving = Math.imul(fold(text.charCodeAt(i)), top);
    h = (Math.imul((h - leaving) | 0, BASE) + fold(text.charCodeAt(i + length))) | 0;
  }
}

/** Adds every occurrence of a whole value, in any case of its ASCII letters. */
function findWholes(text: string, wholes: readonly string[], found: number[]): void {
  const folded = foldText(text);
  for (const whole of wholes) {
    for (let at = folded.indexOf(whole); at !== -1; at = folded.indexOf(whole, at + whole.length)) {
      found.push(at, at + whole.length);
    }
  }
}

/** Overlapping and touching ranges become one, so one leaked value shows as one mask. */
function replaceRanges(text: string, found: number[]): string {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < found.length; i += 2) ranges.push([found[i] ?? 0, found[i + 1] ?? 0]);
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0;
  let end = -1;
  for (const [start, stop] of ranges) {
    if (start > end) {
      out += text.slice(copied, start) + MASK;
    }
    end = Math.max(end, stop);
    copied = end;
  }
  return out + text.slice(copied);
}

/**
 * A masker for the given secret values: each value found whole, and every run of 16+ characters
 * of a value's random part (letters, digits, + and /) found anywhere, is replaced by `[redacted]`,
 * in any case of its letters. One pass finds the stretches that could hold a run and one
 * rolling-hash pass checks them, so that part hardly grows with the number of secrets; the whole
 * values are one native search each.
 */
export function createMasker(secrets: Iterable<string>): (text: string) => string {
  const { windows, wholes } = patternsOf(secrets);
  if (windows.byHash.size === 0 && wholes.length === 0) return (text) => text;
  return (text) => {
    const found: number[] = [];
    if (windows.byHash.size > 0) {
      eachCandidate(text, (from, to) => scan(text, from, to, windows, found));
    }
    if (wholes.length > 0) findWholes(text, wholes, found);
    return found.length === 0 ? text : replaceRanges(text, found);
  };
}
