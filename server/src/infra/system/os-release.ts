import type { OsRelease } from '../../core/doctor/install-plan.js';

const MAX_VALUE = 256;

/**
 * One value of os-release(5): a shell-style assignment, bare or quoted, with \" \\ \$ \` escapes.
 * Nothing is expanded or executed; a value we cannot read exactly is dropped, not guessed.
 */
function unquote(raw: string): string | undefined {
  const first = raw[0];
  if (first !== '"' && first !== "'") {
    return /^[A-Za-z0-9._:+\-/]*$/.test(raw) ? raw : undefined;
  }
  if (raw.length < 2 || raw.at(-1) !== first) return undefined;
  const body = raw.slice(1, -1);
  if (first === "'") return body.includes("'") ? undefined : body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined || !'"\\$`'.includes(next)) return undefined;
      out += next;
      i++;
    } else if (c === '"' || c === '$' || c === '`') {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** Every well-formed `KEY=value` line; comments, blank and malformed lines are skipped. */
export function parseOsReleaseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) continue;
    const value = unquote(match[2]!);
    if (value === undefined || value.length > MAX_VALUE) continue;
    fields.set(match[1]!, value);
  }
  return fields;
}

/** The os-release fields the install plan reads (ID defaults to "linux", as the spec says); undefined for an ID that is not one. */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = parseOsReleaseFields(text);
  // IDs are lowercase words by the spec; anything else is not an ID we could match.
  const word = (v: string) => /^[a-z0-9._-]+$/.test(v);
  const id = fields.get('ID')?.toLowerCase() ?? 'linux';
  if (!word(id)) return undefined;
  const idLike = (fields.get('ID_LIKE') ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((v) => v !== '' && word(v));
  const versionId = fields.get('VERSION_ID');
  const prettyName = fields.get('PRETTY_NAME') ?? fields.get('NAME');
  return {
    id,
    idLike,
    ...(versionId ? { versionId } : {}),
    ...(prettyName ? { prettyName } : {}),
  };
}
