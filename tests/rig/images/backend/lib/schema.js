// What the image's migrations leave in the schema, and what of it the database lacks.
const fs = require('node:fs');
const path = require('node:path');
const pg = require('./pg');

const IDENT = '"?([A-Za-z_][A-Za-z0-9_]*)"?';
const CREATE_TABLE = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'i');
const DROP_TABLE = new RegExp(`^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'i');
const ALTER_TABLE = new RegExp(
  `^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${IDENT}`,
  'i',
);
const ADD_COLUMN = new RegExp(`\\bADD\\s+COLUMN\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, 'gi');
const DROP_COLUMN = new RegExp(`\\bDROP\\s+COLUMN\\s+(?:IF\\s+EXISTS\\s+)?${IDENT}`, 'gi');

/**
 * What the image's own migrations (prisma/migrations, oldest first) leave in the schema: every table
 * they create and every column they add, each with the migration that makes it. Read from the SQL as
 * Prisma writes it (CREATE TABLE, ALTER TABLE ... ADD/DROP COLUMN, DROP TABLE); indexes and
 * constraints are not checked. An image with a newer migration thus needs that migration's schema.
 */
function schemaChecks(dir) {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+_/.test(e.name))
    .map((e) => e.name)
    .sort();
  let checks = [];
  for (const migration of names) {
    const sql = fs
      .readFileSync(path.join(dir, migration, 'migration.sql'), 'utf8')
      .replace(/--[^\n]*/g, '');
    for (const statement of sql.split(';').map((s) => s.trim())) {
      let m;
      if ((m = CREATE_TABLE.exec(statement))) checks.push({ migration, table: m[1] });
      else if ((m = DROP_TABLE.exec(statement))) {
        const table = m[1];
        checks = checks.filter((c) => c.table !== table);
      } else if ((m = ALTER_TABLE.exec(statement))) {
        const table = m[1];
        for (const [, column] of statement.matchAll(ADD_COLUMN))
          checks.push({ migration, table, column });
        for (const [, column] of statement.matchAll(DROP_COLUMN))
          checks = checks.filter((c) => !(c.table === table && c.column === column));
      }
    }
  }
  return checks;
}

/** The checks whose table or column information_schema does not show, in migration order. */
async function missingSchema(cfg, checks) {
  const tables = [...new Set(checks.map((c) => c.table))].map((t) => `'${t}'`).join(', ');
  const sql = `SELECT coalesce(string_agg(table_name || '.' || column_name, ','), '')
    FROM information_schema.columns
    WHERE table_schema = current_schema()
      AND table_name IN (${tables || "''"});`;
  const present = new Set((await pg.psql(cfg.databaseUrl, sql, {}, 5000)).trim().split(','));
  const found = new Set([...present].map((c) => c.split('.')[0]));
  return checks
    .filter((c) => (c.column ? !present.has(`${c.table}.${c.column}`) : !found.has(c.table)))
    .map((c) => ({ ...c, what: c.column ? `${c.table}.${c.column}` : `table ${c.table}` }));
}

module.exports = { schemaChecks, missingSchema };
