/**
 * The roles of a backup's `db/roles.sql` (`pg_dumpall --roles-only`), as a restore may create them.
 * The file comes from an archive, so it is read as SQL an attacker wrote: it is split into
 * statements the way PostgreSQL would (comments, quoted names, string literals, several statements
 * on a line, one statement over several lines), only `CREATE ROLE` and `ALTER ROLE ... [WITH]
 * options` are understood, and each role's statement is rebuilt from its parsed parts. Nothing of
 * the file's text is run as it stands, and the privileges that reach past the MediaNest database
 * (SUPERUSER, CREATEROLE, REPLICATION, BYPASSRLS) are never granted, whatever the file says.
 */

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'name'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'other'; text: string };

/** PostgreSQL's own limit on a name (NAMEDATALEN - 1), in bytes. */
const MAX_NAME_BYTES = 63;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The text's statements as tokens; a statement ends at a `;` outside quotes and comments. */
export function sqlStatements(sql: string): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let at = 0;
  const quoted = (quote: string): string | undefined => {
    let text = '';
    for (at += 1; at < sql.length; at += 1) {
      if (sql[at] !== quote) {
        text += sql[at];
      } else if (sql[at + 1] === quote) {
        // A doubled quote stands for one.
        text += quote;
        at += 1;
      } else {
        at += 1;
        return text;
      }
    }
    return undefined;
  };
  while (at < sql.length) {
    const c = sql[at]!;
    if (/\s/.test(c)) {
      at += 1;
    } else if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      at = end === -1 ? sql.length : end;
    } else if (sql.startsWith('/*', at)) {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        const opens = sql.startsWith('/*', at);
        const closes = !opens && sql.startsWith('*/', at);
        if (opens) depth += 1;
        if (closes) depth -= 1;
        at += opens || closes ? 2 : 1;
      } while (depth > 0 && at < sql.length);
    } else if (c === "'" || c === '"') {
      const text = quoted(c);
      if (text === undefined) break; // unterminated: the rest is never a statement
      current.push({ kind: c === "'" ? 'string' : 'name', text });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(at))) {
      // A dollar-quoted string: its body may hold `;` and quotes; it is never a value we take.
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(at))![0];
      const end = sql.indexOf(tag, at + tag.length);
      if (end === -1) break;
      current.push({ kind: 'other', text: '$$' });
      at = end + tag.length;
    } else if (c === '\\') {
      // A psql meta-command (`\restrict KEY` in newer dumps) runs to the end of its line; it is
      // never run, and a statement it lands in is not one we understand.
      if (current.length > 0) current.push({ kind: 'other', text: c });
      const end = sql.indexOf('\n', at);
      at = end === -1 ? sql.length : end;
    } else if (c === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
      at += 1;
    } else if (WORD_START.test(c) || /[0-9]/.test(c)) {
      let end = at + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end += 1;
      current.push({ kind: 'word', text: sql.slice(at, end) });
      at = end;
    } else {
      current.push({ kind: 'other', text: c });
      at += 1;
    }
  }
  // A last statement without its `;` is dropped: pg_dumpall ends every one.
  return statements;
}

/** Options a restored role may carry; anything else in a statement makes it not understood. */
const FLAGS = ['INHERIT', 'LOGIN', 'CREATEDB'] as const;
/** Options that are never granted: they reach past the database a restore brings back. */
const STRIPPED = ['SUPERUSER', 'CREATEROLE', 'REPLICATION', 'BYPASSRLS'] as const;

export interface RoleSpec {
  flags: Partial<Record<(typeof FLAGS)[number], boolean>>;
  connectionLimit?: number;
  password?: string | null;
  validUntil?: string;
}

const upper = (token: Token | undefined): string | undefined =>
  token?.kind === 'word' ? token.text.toUpperCase() : undefined;

function roleName(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  // An unquoted name is folded to lower case, as PostgreSQL does.
  const name =
    token.kind === 'name'
      ? token.text
      : token.kind === 'word' && WORD_START.test(token.text)
        ? token.text.toLowerCase()
        : undefined;
  if (name === undefined || name === '' || Buffer.byteLength(name) > MAX_NAME_BYTES)
    return undefined;
  // Control characters would not survive a psql listing, a backslash is psql's command prefix,
  // and pg_ names are PostgreSQL's own.
  const control = [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f');
  if (control || name.includes('\\') || name.startsWith('pg_')) return undefined;
  return name;
}

/** A password (verifier) or expiry as a plain literal: printable ASCII, no backslash. */
const plainLiteral = (token: Token | undefined, max: number): string | undefined =>
  token?.kind === 'string' && token.text.length <= max && /^[\x20-\x5b\x5d-\x7e]*$/.test(token.text)
    ? token.text
    : undefined;

/** The options after a role's name, or undefined when any of them is not understood. */
function parseOptions(tokens: Token[]): RoleSpec | undefined {
  const spec: RoleSpec = { flags: {} };
  let at = upper(tokens[0]) === 'WITH' ? 1 : 0;
  while (at < tokens.length) {
    const word = upper(tokens[at]);
    if (word === undefined) return undefined;
    const bare = word.startsWith('NO') ? word.slice(2) : word;
    if ((FLAGS as readonly string[]).includes(bare)) {
      spec.flags[bare as (typeof FLAGS)[number]] = !word.startsWith('NO');
      at += 1;
    } else if ((STRIPPED as readonly string[]).includes(bare)) {
      at += 1;
    } else if (word === 'CONNECTION' && upper(tokens[at + 1]) === 'LIMIT') {
      const negative = tokens[at + 2]?.text === '-';
      const digits = tokens[at + (negative ? 3 : 2)];
      if (digits?.kind !== 'word' || !/^[0-9]{1,6}$/.test(digits.text)) return undefined;
      spec.connectionLimit = negative ? -Number(digits.text) : Number(digits.text);
      if (spec.connectionLimit < -1) return undefined;
      at += negative ? 4 : 3;
    } else if (
      word === 'PASSWORD' ||
      (word === 'ENCRYPTED' && upper(tokens[at + 1]) === 'PASSWORD')
    ) {
      at += word === 'ENCRYPTED' ? 2 : 1;
      if (upper(tokens[at]) === 'NULL') spec.password = null;
      else if ((spec.password = plainLiteral(tokens[at], 1024)) === undefined) return undefined;
      at += 1;
    } else if (word === 'VALID' && upper(tokens[at + 1]) === 'UNTIL') {
      spec.validUntil = plainLiteral(tokens[at + 2], 64);
      if (spec.validUntil === undefined || !/^[0-9A-Za-z:+\-. ]+$/.test(spec.validUntil))
        return undefined;
      at += 3;
    } else {
      return undefined;
    }
  }
  return spec;
}

const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** One `CREATE ROLE` written from parsed parts, the stripped privileges denied explicitly. */
export function createRoleStatement(name: string, spec: RoleSpec): string {
  const options = STRIPPED.map((option) => `NO${option}`);
  for (const flag of FLAGS) {
    const value = spec.flags[flag];
    if (value !== undefined) options.push(value ? flag : `NO${flag}`);
  }
  if (spec.connectionLimit !== undefined) options.push(`CONNECTION LIMIT ${spec.connectionLimit}`);
  if (spec.password !== undefined) {
    options.push(
      spec.password === null ? 'PASSWORD NULL' : `PASSWORD ${quoteLiteral(spec.password)}`,
    );
  }
  if (spec.validUntil !== undefined) options.push(`VALID UNTIL ${quoteLiteral(spec.validUntil)}`);
  return `CREATE ROLE ${quoteName(name)} WITH ${options.join(' ')};`;
}

/**
 * The roles `sql` creates, by name (as stored, unquoted), each with the one statement that creates
 * it: a `CREATE ROLE` and the `ALTER ROLE ... [WITH]` options that follow it, merged. A statement
 * that is anything else, or holds anything not understood, is never run; an ALTER of a role the
 * file does not create is ignored.
 */
export function roleStatements(sql: string): Map<string, string> {
  const specs = new Map<string, RoleSpec>();
  for (const tokens of sqlStatements(sql)) {
    const verb = upper(tokens[0]);
    if ((verb !== 'CREATE' && verb !== 'ALTER') || upper(tokens[1]) !== 'ROLE') continue;
    const name = roleName(tokens[2]);
    const options = parseOptions(tokens.slice(3));
    if (name === undefined || options === undefined) continue;
    const known = specs.get(name);
    if (verb === 'CREATE' && !known) specs.set(name, options);
    else if (known) {
      // Later options win, as they would in PostgreSQL.
      specs.set(name, { ...known, ...options, flags: { ...known.flags, ...options.flags } });
    }
  }
  return new Map([...specs].map(([name, spec]) => [name, createRoleStatement(name, spec)]));
}
