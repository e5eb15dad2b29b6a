/**
 * `.dockerignore` as the Docker CLI reads it (moby/patternmatcher): one pattern a line, `#`
 * comments, `!` exceptions, `*` and `?` within a path segment, `**` across segments; a pattern
 * also excludes everything under a folder it matches; the last matching pattern wins.
 */

interface Pattern {
  /** The cleaned pattern, as the user wrote it (without `!`). */
  text: string;
  exception: boolean;
  regex: RegExp;
  /** 1-based, in the file. */
  line: number;
}

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

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

function compile(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '*') {
      if (pattern.charAt(i + 1) === '*') {
        i++;
        // `**/` is `**`: any number of folders, none included.
        if (pattern.charAt(i + 1) === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '\\') {
      i++;
      const next = pattern.charAt(i);
      source += next ? `\\${next}` : '\\\\';
    } else if (REGEX_SPECIAL.has(ch)) {
      source += `\\${ch}`;
    } else {
      // Letters, `/`, `[`, `]` (character classes pass through as in Go's filepath.Match).
      source += ch;
    }
  }
  try {
    return new RegExp(`${source}$`, 'u');
  } catch {
    // A malformed class (e.g. an unclosed `[`) matches nothing, as Go's Match reports ErrBadPattern.
    return /$^/;
  }
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
      this.patterns.push({ text, exception, regex: compile(text), line: index + 1 });
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
      let match = pattern.regex.test(relative);
      for (let i = 1; !match && i <= parents.length; i++) {
        match = pattern.regex.test(parents.slice(0, i).join('/'));
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
