import { describe, expect, it } from 'vitest';
import { fakeState, type PostgresLog } from './restore-harness.test-support.js';
import { roleStatements } from './role-statements.js';

const DENIED = 'NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS';
const hash = 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2lnbg==';

/** Every privilege a statement grants, the denied ones looked for whatever their spelling. */
function granted(statement: string): string[] {
  return ['SUPERUSER', 'CREATEROLE', 'REPLICATION', 'BYPASSRLS'].filter((option) =>
    new RegExp(`(^|[^A-Z])${option}`, 'i').test(
      statement.replace(/NO(SUPERUSER|CREATEROLE|REPLICATION|BYPASSRLS)/g, ''),
    ),
  );
}

describe('the roles a restore may create', () => {
  it('reads each role pg_dumpall creates, with its attributes and password verifier', () => {
    const dumpall = [
      'SET default_transaction_read_only = off;',
      '\\restrict abc',
      'CREATE ROLE medianest;',
      `ALTER ROLE medianest WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD '${hash}';`,
      'CREATE ROLE "Grafana Reader";',
      'ALTER ROLE "Grafana Reader" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN CONNECTION LIMIT 5;',
      'GRANT medianest TO "Grafana Reader";',
      'ALTER ROLE orphan WITH LOGIN;',
    ].join('\n');
    expect([...roleStatements(dumpall)]).toEqual([
      [
        'medianest',
        `CREATE ROLE "medianest" WITH ${DENIED} INHERIT LOGIN CREATEDB PASSWORD '${hash}';`,
      ],
      [
        'Grafana Reader',
        `CREATE ROLE "Grafana Reader" WITH ${DENIED} INHERIT LOGIN NOCREATEDB CONNECTION LIMIT 5;`,
      ],
    ]);
  });

  const hiding: Array<[string, string]> = [
    ['in the CREATE itself', 'CREATE ROLE x SUPERUSER;'],
    ['in lower case', 'create role x with superuser login;'],
    ['in mixed case after WITH', 'CREATE ROLE x; Alter Role x With SuPeRuSeR;'],
    [
      'among several options',
      'CREATE ROLE x; ALTER ROLE x WITH LOGIN REPLICATION BYPASSRLS CREATEROLE;',
    ],
    ['behind a quoted name', 'CREATE ROLE "x"; ALTER ROLE "x" WITH SUPERUSER;'],
    ['behind a comment', 'CREATE ROLE x /* harmless */ WITH -- really\n SUPERUSER;'],
    ['in a nested comment', 'CREATE ROLE x /* a /* b */ c */ SUPERUSER;'],
    ['over split lines', 'CREATE\nROLE\nx\nWITH\nLOGIN\nSUPERUSER\n;'],
    [
      'in a second statement on the line',
      "CREATE ROLE x LOGIN PASSWORD 'p'; ALTER ROLE x SUPERUSER;",
    ],
    ['with ENCRYPTED PASSWORD first', "CREATE ROLE x ENCRYPTED PASSWORD 'p' SUPERUSER;"],
    ['after a NOSUPERUSER', 'CREATE ROLE x NOSUPERUSER; ALTER ROLE x SUPERUSER;'],
  ];

  it.each(hiding)('never grants a stripped privilege hidden %s', (_how, sql) => {
    const roles = roleStatements(sql);
    expect([...roles.keys()]).toEqual(['x']);
    const statement = roles.get('x')!;
    expect(statement).toMatch(new RegExp(`^CREATE ROLE "x" WITH ${DENIED}( |;)`));
    expect(granted(statement)).toEqual([]);
  });

  it('never runs anything else a file may hold', () => {
    const hostile = [
      'DROP DATABASE medianest;',
      "CREATE ROLE y; COPY t TO PROGRAM 'sh';",
      "ALTER ROLE y WITH LOGIN PASSWORD 'it''s'; DROP DATABASE medianest; --';",
      'ALTER ROLE y SET search_path = evil;',
      'CREATE ROLE z WITH LOGIN IN ROLE pg_write_server_files;',
      'CREATE ROLE pg_evil;',
      `CREATE ROLE "a\\! rm -rf /";`,
      "CREATE ROLE w PASSWORD E'\\x41';",
      'DO $$ BEGIN; CREATE ROLE v; END $$;',
      'CREATE ROLE u',
    ].join('\n');
    expect([...roleStatements(hostile)]).toEqual([
      ['y', `CREATE ROLE "y" WITH ${DENIED} LOGIN PASSWORD 'it''s';`],
    ]);
  });

  it('sends PostgreSQL only the rebuilt statements of the roles it lacks', async () => {
    const log: PostgresLog = { sql: [], stdin: [] };
    const created = await fakeState(log).createMissingRoles(
      'CREATE ROLE medianest; ALTER ROLE medianest SUPERUSER;\nCREATE ROLE evil; ALTER ROLE evil WITH LOGIN SUPERUSER;\n',
    );
    expect(created).toEqual(['evil']);
    expect(log.stdin).toEqual([`CREATE ROLE "evil" WITH ${DENIED} LOGIN;\n`]);
  });
});
