/**
 * `.dockerignore` as the Docker CLI reads it (moby/patternmatcher): one pattern a line, `#`
 * comments, `!` exceptions, `*` and `?` within a path segment, `**` across segments; a pattern
 * also excludes everything under a folder it matches; the last matching pattern wins.
 */

interface Pattern {
  /** The cleaned pattern, as the user wrote it (without `!`). */
  text: string;
  exception: boolean;
  /** Undefined for a malformed pattern (an unclosed `[`): it matches nothing, as Go's Match says. */
  tokens: Token[] | undefined;
  /** 1-based, in the file. */
  line: number;
}

/**
 * A compiled pattern: a literal character, `?` (one character but `/`), `*` (a run without `/`),
 * `**` inside (any folders, or none) or at the end (anything), a `[...]` class.
 */
type Token =
  | { kind: 'char'; char: string }
  | { kind: 'one' }
  | { kind: 'star' }
  | { kind: 'folders' }
  | { kind: 'rest' }
  | { kind: 'class'; test: (char: string) => boolean };

/** What the CLI's filepath.Clean + ToSlash does to a pattern, for the cases a pattern meets. */
function cleanPattern(raw: string): string {
  const absolute = raw.startsWith('/');
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts.at(-1) !== '..') parts.pop();
      else if (!absolute) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  return parts.join('/') || '.';
}

/** A `[...]` class starting at `start` (its `[`): its test of one character and where it ends. */
function classAt(pattern: string, start: number): { test: (c: string) => boolean; end: number } {
  let end = start + 1;
  if (pattern.charAt(end) === '^' || pattern.charAt(end) === '!') end++;
  if (pattern.charAt(end) === ']') end++;
  while (end < pattern.length && pattern.charAt(end) !== ']') {
    if (pattern.charAt(end) === '\\') end++;
    end++;
  }
  if (end >= pattern.length) throw new SyntaxError('unclosed [');
  const body = pattern.slice(start + 1, end).replace(/^!/, '^');
  // One character against one class: a regular expression that cannot backtrack.
  const one = new RegExp(`^[${body}]$`, 'u');
  return { test: (c) => one.test(c), end };
}

function compile(pattern: string): Token[] | undefined {
  const tokens: Token[] = [];
  try {
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern.charAt(i);
      if (ch === '*') {
        if (pattern.charAt(i + 1) === '*') {
          i++;
          // `**/` is `**`: any number of folders, none included.
          if (pattern.charAt(i + 1) === '/') i++;
          tokens.push(i + 1 >= pattern.length ? { kind: 'rest' } : { kind: 'folders' });
        } else if (tokens.at(-1)?.kind !== 'star') {
          tokens.push({ kind: 'star' });
        }
      } else if (ch === '?') {
        tokens.push({ kind: 'one' });
      } else if (ch === '\\') {
        i++;
        tokens.push({ kind: 'char', char: pattern.charAt(i) || '\\' });
      } else if (ch === '[') {
        const { test, end } = classAt(pattern, i);
        tokens.push({ kind: 'class', test });
        i = end;
      } else {
        tokens.push({ kind: 'char', char: ch });
      }
    }
  } catch {
    return undefined;
  }
  return tokens;
}

/**
 * Whether `tokens` match all of `path`, in time proportional to their product whatever the
 * pattern (a regular expression with many `*` backtracks without bound on a long name, and the
 * patterns come from a file the user hands in). Dynamic programming from the end, a row per token.
 */
function matches(tokens: readonly Token[], path: string): boolean {
  const n = path.length;
  let next = new Uint8Array(n + 1);
  next[n] = 1; // no tokens left: only the end of the path matches
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t] as Token;
    const row = new Uint8Array(n + 1);
    if (token.kind === 'rest') {
      row.fill(1);
    } else if (token.kind === 'folders') {
      // None, or up to and including any later `/`.
      let later = 0;
      for (let i = n; i >= 0; i--) {
        row[i] = next[i] || later ? 1 : 0;
        if (i > 0 && path.charAt(i - 1) === '/' && next[i]) later = 1;
      }
    } else if (token.kind === 'star') {
      for (let i = n; i >= 0; i--) {
        row[i] = next[i] || (i < n && path.charAt(i) !== '/' && row[i + 1]) ? 1 : 0;
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        const c = path.charAt(i);
        const fits =
          token.kind === 'char'
            ? c === token.char
            : token.kind === 'one'
              ? c !== '/'
              : token.test(c);
        row[i] = fits && next[i + 1] ? 1 : 0;
      }
    }
    next = row;
  }
  return next[0] === 1;
}

export class DockerIgnore {
  private readonly patterns: Pattern[];

  /** `text`: the contents of a .dockerignore file (empty: nothing is ignored). */
  constructor(text: string) {
    this.patterns = [];
    for (const [index, line] of text.split(/\r?\n/).entries()) {
      if (line.startsWith('#')) continue;
      let pattern = line.trim();
      if (pattern === '') continue;
      const exception = pattern.startsWith('!');
      if (exception) pattern = pattern.slice(1).trim();
      if (pattern === '') continue;
      const text = cleanPattern(pattern);
      this.patterns.push({ text, exception, tokens: compile(text), line: index + 1 });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether the context leaves out `relative` (a posix path inside it). */
  excludes(relative: string): boolean {
    return this.decidingPattern(relative, false) !== undefined;
  }

  /** The last pattern that leaves `relative` out, or undefined when it is sent. */
  excludedBy(relative: string): { pattern: string; line: number } | undefined {
    const decided = this.decidingPattern(relative, true);
    return decided && { pattern: decided.text, line: decided.line };
  }

  /**
   * The exclusion in force for `relative` after every pattern, or undefined. Without `last`, a
   * pattern that cannot change the answer is not tried (the walk asks this for every entry); with
   * it, a later exclusion that matches too is the one named.
   */
  private decidingPattern(relative: string, last: boolean): Pattern | undefined {
    const parents = relative.split('/').slice(0, -1);
    let decided: Pattern | undefined;
    for (const pattern of this.patterns) {
      if (pattern.exception ? decided === undefined : decided !== undefined && !last) continue;
      const tokens = pattern.tokens;
      if (!tokens) continue;
      let match = matches(tokens, relative);
      for (let i = 1; !match && i <= parents.length; i++) {
        match = matches(tokens, parents.slice(0, i).join('/'));
      }
      if (match) decided = pattern.exception ? undefined : pattern;
    }
    return decided;
  }

  /**
   * Whether the walk must still enter an excluded folder: only when an exception names something
   * inside it (the CLI's rule, so `node_modules` is never read when nothing in it is wanted back).
   */
  mayIncludeUnder(relative: string): boolean {
    const prefix = `${relative}/`;
    return this.patterns.some((p) => p.exception && `${p.text}/`.startsWith(prefix));
  }
}
