/**
 * The backend versions the rig builds for update tests (issue 18, section 4; tests/rig/README.md
 * "Backend versions"): what later suites rely on, per version, on the rig's engine and a real
 * PostgreSQL. v1 is the backend every suite runs; v2 adds a migration and answers "v2"; v2-broken
 * has v2's migrations and never becomes healthy; v2-badmigration's fifth migration fails midway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tarOfFiles } from '../../server/src/core/tar/tar.test-support.js';
import {
  execIn,
  logsOf,
  publishedPort,
  runContainer,
  waitForExit,
  waitUntil,
} from './support/containers.js';
import { request } from './support/http.js';
import {
  createDatabase,
  psqlRows,
  runMigrate,
  startBackend,
  useMiniStack,
} from './support/mini-stack.js';
import {
  BACKEND_VERSIONS,
  backendVersionImages,
  imageOf,
  type BackendVersion,
  type RigEnv,
} from './support/rig.js';

const SUITE = 'rig-versions';
const BACKEND_SRC = join(dirname(fileURLToPath(import.meta.url)), '../rig/images/backend');
const TAGS_MIGRATION = '20251020000000_add_record_tags';
const BAD_MIGRATION = '20251105000000_add_tag_colors';
const MIGRATIONS = '/app/backend/prisma/migrations';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
/** `name sha256` of each migration folder in the source tree (the base folder or an overlay). */
const sourceMigrations = (folder: string): string[] =>
  readdirSync(join(BACKEND_SRC, folder))
    .filter((n) => /^\d+_/.test(n))
    .sort()
    .map((n) => `${n} ${sha256(readFileSync(join(BACKEND_SRC, folder, n, 'migration.sql')))}`);
const V1 = sourceMigrations('prisma/migrations');
const V2 = [...V1, ...sourceMigrations('versions/v2/prisma/migrations')];
const EXPECTED: Record<BackendVersion, string[]> = {
  v1: V1,
  v2: V2,
  'v2-broken': V2,
  'v2-badmigration': [...V2, ...sourceMigrations('versions/v2-badmigration/prisma/migrations')],
};

interface Release {
  version: string;
  features: string[];
  defect?: string;
}

describe('the backend versions the rig builds', { timeout: 120_000 }, () => {
  const the = useMiniStack(SUITE);
  const versions = (): Readonly<Record<BackendVersion, string>> => backendVersionImages(the().env);
  /** The rig's environment with `backend` (and `migrate`) pointing at one version. */
  const envWith = (version: BackendVersion): RigEnv => {
    const image = versions()[version];
    return { ...the().env, images: { ...the().env.images, backend: image, migrate: image } };
  };

  /** Runs `script` in a short-lived container of `image` (its entrypoint replaced); its output. */
  const runIn = async (image: string, script: string): Promise<string> => {
    const container = await runContainer(the().docker, {
      suite: SUITE,
      name: `mn-${SUITE}-sh-${randomBytes(3).toString('hex')}`,
      image,
      entrypoint: ['/bin/sh', '-c'],
      cmd: [script],
      capDrop: ['ALL'],
    });
    const code = await waitForExit(container, 20_000);
    const out = await logsOf(container);
    await container.remove({ force: true });
    if (code !== 0) throw new Error(`${script} in ${image}: exit ${code}: ${out}`);
    return out;
  };

  const sql = (database: string, query: string): Promise<string[]> =>
    psqlRows(the().stack, database, query);
  const freshDatabase = (name: string): Promise<string> => createDatabase(the().stack, name);
  const migrate = (version: BackendVersion, databaseUrl?: string) =>
    runMigrate(the().docker, the().env, the().stack, {
      image: versions()[version],
      ...(databaseUrl ? { databaseUrl } : {}),
    });
  /** The tables the versions add and rig_record_tags' columns. */
  const v2Schema = async (database: string) => ({
    tables: await sql(
      database,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('rig_record_tags', 'rig_tag_colors') ORDER BY 1",
    ),
    tagColumns: await sql(
      database,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'rig_record_tags' ORDER BY 1",
    ),
  });

  it('maps every version to an image labelled with it; v1 is the backend image every suite runs', async () => {
    const { docker, env } = the();
    const images = versions();
    expect(Object.keys(images)).toEqual([...BACKEND_VERSIONS]);
    for (const version of BACKEND_VERSIONS) {
      const info = await docker.getImage(images[version]).inspect();
      expect(info.Config.Labels?.['org.opencontainers.image.version'], version).toBe(version);
    }
    const backend = await docker.getImage(imageOf(env, 'backend')).inspect();
    expect((await docker.getImage(images.v1).inspect()).Id).toBe(backend.Id);
  });

  it("carries each version's migration folders and release", async () => {
    const seen = await Promise.all(
      BACKEND_VERSIONS.map((version) =>
        runIn(
          versions()[version],
          `cd ${MIGRATIONS} && for d in */; do printf '%s %s\\n' "\${d%/}" "$(sha256sum < "$d/migration.sql" | cut -c1-64)"; done; ` +
            'echo; cat /app/backend/release.json',
        ),
      ),
    );
    BACKEND_VERSIONS.forEach((version, i) => {
      const [folders = '', release = ''] = (seen[i] ?? '').split('\n\n');
      expect(folders.split('\n').filter(Boolean), version).toEqual(EXPECTED[version]);
      const parsed = JSON.parse(release) as Release;
      expect(parsed.version).toBe(version);
      expect(parsed.features).toEqual(version === 'v1' ? [] : ['record-tags']);
      expect(parsed.defect !== undefined, version).toBe(version === 'v2-broken');
    });
    expect(EXPECTED.v2.at(-1)).toMatch(new RegExp(`^${TAGS_MIGRATION} `));
    expect(EXPECTED['v2-badmigration'].at(-1)).toMatch(new RegExp(`^${BAD_MIGRATION} `));
  });

  it('v2-badmigration: the migrate job applies the 4th, the 5th fails midway and leaves nothing of it', async () => {
    const url = await freshDatabase('badmigration');
    expect((await migrate('v1', url)).exitCode).toBe(0);
    const run = await migrate('v2-badmigration', url);
    expect(run.exitCode, run.log).toBe(1);
    expect(run.log).toContain(`applying 1 of 2: ${TAGS_MIGRATION}`);
    expect(run.log).toContain(`applying 2 of 2: ${BAD_MIGRATION}`);
    expect(run.log).toMatch(/column "colour" does not exist/);
    expect(run.log).toContain('the database is as it was before it');
    expect(await v2Schema('badmigration')).toEqual({
      tables: ['rig_record_tags'],
      tagColumns: ['created_at', 'record_id', 'tag'],
    });
    expect(
      await sql(
        'badmigration',
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1',
      ),
    ).toEqual(EXPECTED.v2.map((l) => l.split(' ')[0]));
    expect(
      await sql(
        'badmigration',
        `SELECT count(*) FROM "_prisma_migrations" WHERE migration_name = '${BAD_MIGRATION}'`,
      ),
    ).toEqual(['0']);

    // Without a transaction (psql on the file, as by hand) its first statements stay: half a change.
    const halfway = await freshDatabase('halfway');
    expect((await migrate('v2', halfway)).exitCode).toBe(0);
    const file = await runIn(
      versions()['v2-badmigration'],
      `cat ${MIGRATIONS}/${BAD_MIGRATION}/migration.sql`,
    );
    await the().stack.postgres.putArchive(tarOfFiles({ 'bad-migration.sql': file }), {
      path: '/tmp',
    });
    const plain = await execIn(the().stack.postgres, [
      'psql',
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-U',
      'medianest',
      '-d',
      'halfway',
      '-f',
      '/tmp/bad-migration.sql',
    ]);
    expect(plain.exitCode).not.toBe(0);
    expect(plain.stderr).toMatch(/column "colour" does not exist/);
    expect(await v2Schema('halfway')).toEqual({
      tables: ['rig_record_tags', 'rig_tag_colors'],
      tagColumns: ['color', 'created_at', 'record_id', 'tag'],
    });
    expect(
      await sql(
        'halfway',
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'rig_tag_colors_color_idx'",
      ),
    ).toEqual(['0']);
  });

  it('answers its version; v2 refuses a v1 schema and serves tags after its migration; v2-broken listens but answers 503', async () => {
    const { docker, stack } = the();
    expect((await migrate('v1')).exitCode).toBe(0);
    const v1 = await startBackend(docker, envWith('v1'), stack, {}, 'v1');
    const v1Health = await request(`${v1.baseUrl}/api/v1/health`);
    expect(v1Health.json<{ version: string }>().version).toBe('v1');
    expect((await request(`${v1.baseUrl}/api/v1/records/1/tags`)).status).toBe(404);

    // v2 on the v1 schema: refuses to serve, naming its own migration.
    const early = await runContainer(docker, {
      suite: SUITE,
      name: `${stack.network}-backend-v2-early`,
      image: versions().v2,
      network: stack.network,
      env: stack.backendEnv,
      capDrop: ['ALL'],
    });
    expect(await waitForExit(early, 30_000)).toBe(1);
    expect(await logsOf(early)).toContain(
      `database schema is behind: table rig_record_tags missing (migration ${TAGS_MIGRATION} not applied); refusing to serve`,
    );

    const up = await migrate('v2');
    expect(up.exitCode, up.log).toBe(0);
    expect(up.log).toContain(`applying 1 of 1: ${TAGS_MIGRATION}`);
    const v2 = await startBackend(docker, envWith('v2'), stack, {}, 'v2');
    const health = await request(`${v2.baseUrl}/api/health`);
    expect(health.json<{ status: string; version: string }>()).toMatchObject({
      status: 'healthy',
      version: 'v2',
    });
    const created = await request(`${v2.baseUrl}/api/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'tagged' }),
    });
    const { id } = created.json<{ id: number }>();
    expect(
      (await request(`${v2.baseUrl}/api/v1/records/${id}/tags/new`, { method: 'PUT' })).status,
    ).toBe(201);
    expect((await request(`${v2.baseUrl}/api/v1/records/${id}/tags`)).json()).toEqual({
      recordId: id,
      tags: ['new'],
    });

    // v2-broken: its migrations are v2's (nothing left to apply); it listens, never healthy.
    expect((await migrate('v2-broken')).log).toContain('nothing to apply');
    const broken = await runContainer(docker, {
      suite: SUITE,
      name: `${stack.network}-backend-v2-broken`,
      image: versions()['v2-broken'],
      network: stack.network,
      env: stack.backendEnv,
      publish: [4000],
      capDrop: ['ALL'],
    });
    const url = `http://127.0.0.1:${await publishedPort(broken, 4000)}`;
    const first = await waitUntil('v2-broken to answer', async () => {
      const r = await request(`${url}/api/health`, { timeoutMs: 2000 });
      return r.status > 0 ? r : undefined;
    });
    expect(first.status).toBe(503);
    expect(first.json()).toMatchObject({ status: 'unhealthy', version: 'v2-broken' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await request(`${url}/api/v1/health`)).status).toBe(503);
    expect((await request(`${url}/api/v1/records`)).status).toBe(503);
    expect((await broken.inspect()).State.Running).toBe(true);
    expect(await logsOf(broken)).toContain('startup incomplete');
  });
});
