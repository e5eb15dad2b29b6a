/**
 * MediaNest's migrations without the Prisma CLI (issue 16, part 2): the app reads the migration
 * folders from the backend image and its `migrate` job applies them with psql in the PostgreSQL
 * image, recorded in _prisma_migrations as Prisma records them. Real PostgreSQL on the rig; each
 * case has its own database of one mini stack.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tarOfFiles } from '../../server/src/core/tar/tar.test-support.js';
import { TEST_LABEL } from './support/containers.js';
import { createDatabase, psqlRows, runMigrate, useMiniStack } from './support/mini-stack.js';
import { imageOf } from './support/rig.js';

const SUITE = 'migrations';
const here = dirname(fileURLToPath(import.meta.url));
const STANDIN_MIGRATIONS = join(here, '../rig/images/backend/prisma/migrations');
const PRISMA_TABLE = readFileSync(
  join(here, '../fixtures/prisma/prisma-migrations-table.sql'),
  'utf8',
);
const NAMES = readdirSync(STANDIN_MIGRATIONS)
  .filter((n) => /^\d+_/.test(n))
  .sort();
const LATEST = NAMES.at(-1) ?? '';
const fileOf = (name: string): Buffer =>
  readFileSync(join(STANDIN_MIGRATIONS, name, 'migration.sql'));
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('migrations without the Prisma CLI', { timeout: 180_000 }, () => {
  const builtImages: string[] = [];
  const the = useMiniStack(SUITE, async ({ docker }) => {
    for (const tag of builtImages)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
  });

  const sql = (database: string, query: string): Promise<string[]> =>
    psqlRows(the().stack, database, query);
  const freshDatabase = (name: string): Promise<string> => createDatabase(the().stack, name);

  const migrate = (databaseUrl: string, image?: string) =>
    runMigrate(the().docker, the().env, the().stack, { databaseUrl, ...(image ? { image } : {}) });

  /** Everything a refused run must leave as it was: the records and every table's columns. */
  const snapshot = async (database: string): Promise<string[]> => [
    ...(await sql(
      database,
      'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM "_prisma_migrations" ORDER BY id',
    )),
    ...(await sql(
      database,
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    )),
  ];

  /** An image like the rig's backend with one more migration folder. */
  const backendWith = async (name: string, migrationSql: string): Promise<string> => {
    const { docker, env } = the();
    const tag = `medianest-test/backend-${name.toLowerCase()}:${randomBytes(3).toString('hex')}`;
    const context = tarOfFiles({
      Dockerfile: `FROM ${imageOf(env, 'backend')}\nCOPY --chown=1001:1001 ${name}/ /app/backend/prisma/migrations/${name}/\n`,
      [`${name}/migration.sql`]: migrationSql,
    });
    const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
      t: tag,
      labels: { [TEST_LABEL]: SUITE },
    });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (error: Error | null, output: Array<{ error?: string }>) => {
          const failed = error?.message ?? output.find((o) => o.error)?.error;
          return failed ? reject(new Error(failed)) : resolve();
        },
      ),
    );
    builtImages.push(tag);
    return tag;
  };

  it("applies the image's migrations in order, recorded exactly as Prisma records them; again, applies nothing", async () => {
    const url = await freshDatabase('applied');
    const first = await migrate(url);
    expect(first.exitCode, first.log).toBe(0);
    NAMES.forEach((name, i) =>
      expect(first.log).toContain(`applying ${i + 1} of ${NAMES.length}: ${name}`),
    );
    expect(first.log).toContain(
      `schema at ${LATEST} (${NAMES.length} of ${NAMES.length} migrations applied)`,
    );

    const rows = await sql(
      'applied',
      `SELECT id, migration_name, checksum, finished_at IS NOT NULL, finished_at >= started_at,
              logs IS NULL, rolled_back_at IS NULL, applied_steps_count
         FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    expect(rows.map((r) => r.split('\t').slice(1))).toEqual(
      NAMES.map((name) => [name, sha256(fileOf(name)), 't', 't', 't', 't', '1']),
    );
    for (const row of rows) expect(row.split('\t')[0]).toMatch(UUID_V4);
    // The schema is the backend's: its user owns every table, so the backend can use them.
    expect(
      await sql('applied', "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"),
    ).toEqual(['medianest']);
    expect(
      await sql(
        'applied',
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'password_hash'",
      ),
    ).toEqual(['1']);

    const before = await snapshot('applied');
    const again = await migrate(url);
    expect(again.exitCode, again.log).toBe(0);
    expect(again.log).toContain(`nothing to apply; schema at ${LATEST}`);
    expect(await snapshot('applied')).toEqual(before);
  });

  it("makes the same table Prisma creates, and what Prisma's deploy would still apply is nothing", async () => {
    await freshDatabase('ours');
    expect((await migrate(the().stack.databaseUrl.replace('/medianest?', '/ours?'))).exitCode).toBe(
      0,
    );
    await freshDatabase('prisma_ref');
    await sql('prisma_ref', PRISMA_TABLE);
    const definition = async (database: string): Promise<string[]> => [
      ...(await sql(
        database,
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      )),
      ...(await sql(
        database,
        `SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = '"_prisma_migrations"'::regclass ORDER BY 1`,
      )),
    ];
    expect(await definition('ours')).toEqual(await definition('prisma_ref'));
    // `prisma migrate deploy` applies a folder unless a row of that name finished and was not
    // rolled back, and stops on any row that started without finishing (P3009).
    const values = NAMES.map((n) => `('${n}')`).join(', ');
    expect(
      await sql(
        'ours',
        `SELECT f.name FROM (VALUES ${values}) AS f(name) WHERE NOT EXISTS (
           SELECT 1 FROM "_prisma_migrations" m WHERE m.migration_name = f.name
             AND m.finished_at IS NOT NULL AND m.rolled_back_at IS NULL)
         UNION ALL SELECT migration_name FROM "_prisma_migrations"
           WHERE finished_at IS NULL AND rolled_back_at IS NULL`,
      ),
    ).toEqual([]);
  });

  it('takes over a database Prisma migrated: its table as Prisma made it, only the newer migrations applied', async () => {
    const url = await freshDatabase('by_prisma');
    await sql('by_prisma', PRISMA_TABLE);
    // What `prisma migrate deploy` of an older backend left: the first two migrations, recorded.
    for (const name of NAMES.slice(0, 2)) {
      await sql('by_prisma', fileOf(name).toString('utf8'));
      await sql(
        'by_prisma',
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ('${randomUUID()}', '${sha256(fileOf(name))}', now(), '${name}', 1)`,
      );
    }
    const run = await migrate(url);
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain(
      `applying 1 of 1: ${LATEST} (migration ${NAMES.length} of ${NAMES.length})`,
    );
    expect(
      await sql(
        'by_prisma',
        'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name',
      ),
    ).toEqual(NAMES);
  });

  describe('refuses, naming the migration, and changes nothing', () => {
    const cases: Array<{ what: string; change: string; message: RegExp }> = [
      {
        what: 'a recorded migration whose file changed',
        change: `UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = '${NAMES[0]}'`,
        message: new RegExp(`migration ${NAMES[0]} was changed after it was applied`),
      },
      {
        what: 'a failed earlier migration',
        change: `UPDATE "_prisma_migrations" SET finished_at = NULL, logs = 'boom' WHERE migration_name = '${LATEST}'`,
        message: new RegExp(`migration ${LATEST} failed earlier`),
      },
      {
        what: 'a database with migrations the image does not know (an older image)',
        change: `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
                   VALUES ('${randomUUID()}', repeat('a', 64), now(), '20991231000000_from_a_newer_backend', 1)`,
        message:
          /the database has migration 20991231000000_from_a_newer_backend that this backend image does not know/,
      },
    ];
    cases.forEach(({ what, change, message }, i) => {
      it(what, async () => {
        const database = `refused_${i}`;
        const url = await freshDatabase(database);
        expect((await migrate(url)).exitCode).toBe(0);
        await sql(database, change);
        const before = await snapshot(database);
        const run = await migrate(url);
        expect(run.exitCode).toBe(1);
        expect(run.log).toMatch(message);
        expect(run.log).toContain('nothing was applied');
        expect(await snapshot(database)).toEqual(before);
      });
    });
  });

  it("leaves the database as it was when a migration's SQL fails, with PostgreSQL's error", async () => {
    const url = await freshDatabase('broken');
    expect((await migrate(url)).exitCode).toBe(0);
    const image = await backendWith(
      '20991231000000_add_media_requests',
      'CREATE TABLE "media_requests" ("id" TEXT NOT NULL PRIMARY KEY);\nALTER TABLE "no_such_table" ADD COLUMN "x" TEXT;\n',
    );
    const before = await snapshot('broken');
    const run = await migrate(url, image);
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('applying 1 of 1: 20991231000000_add_media_requests');
    expect(run.log).toMatch(/relation "no_such_table" does not exist/);
    expect(run.log).toContain('the database is as it was before it');
    // Its first statement ran and was rolled back with the rest.
    expect(await snapshot('broken')).toEqual(before);
  });

  it('applies SQL that cannot run in a transaction outside one, recorded the same way', async () => {
    const url = await freshDatabase('concurrent');
    expect((await migrate(url)).exitCode).toBe(0);
    const image = await backendWith(
      '20991231000000_index_user_email',
      'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users"("email");\n',
    );
    const run = await migrate(url, image);
    expect(run.exitCode, run.log).toBe(0);
    expect(
      await sql(
        'concurrent',
        "SELECT indexname FROM pg_indexes WHERE indexname = 'users_email_idx'",
      ),
    ).toEqual(['users_email_idx']);
    expect(
      await sql(
        'concurrent',
        `SELECT finished_at IS NOT NULL, applied_steps_count FROM "_prisma_migrations" WHERE migration_name = '20991231000000_index_user_email'`,
      ),
    ).toEqual(['t\t1']);
  });
});
