/**
 * What a test's stack looks like from the outside, after something went wrong on purpose (a
 * kill, a rollback): the schema PostgreSQL holds, the containers the engine runs for it and any it
 * should not, the data-folder and database leftovers of a restore. Read straight from the engine
 * and the database, never through the app under test.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type Docker from 'dockerode';
import { expect } from 'vitest';
import { PREVIOUS_DB, RESTORE_DB } from '../../../server/src/core/backup/stack-state.js';
import { execInService } from './service-exec.js';

const projectLabel = (project: string): string => `com.docker.compose.project=${project}`;

async function psql(docker: Docker, project: string, db: string, sql: string): Promise<string> {
  const out = await execInService(docker, projectLabel(project), 'postgres', [
    'psql',
    '-U',
    'medianest',
    '-d',
    db,
    '-Atc',
    sql,
  ]);
  if (out.exitCode !== 0) throw new Error(`psql ${sql}: ${out.stderr}`);
  return out.stdout.trim();
}

/** The migrations the database records as applied, in order. */
export async function appliedMigrations(docker: Docker, project: string): Promise<string[]> {
  const out = await psql(
    docker,
    project,
    'medianest',
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
  );
  return out.split('\n').filter(Boolean);
}

/** SHA-256 of every table's columns and types and every recorded migration: what a migration changes. */
export async function schemaDigest(docker: Docker, project: string): Promise<string> {
  const columns = await psql(
    docker,
    project,
    'medianest',
    "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_schema = 'public'",
  );
  const migrations = await psql(
    docker,
    project,
    'medianest',
    "SELECT string_agg(migration_name, ',' ORDER BY migration_name) FROM _prisma_migrations",
  );
  return createHash('sha256')
    .update(columns + migrations)
    .digest('hex');
}

/**
 * What a restore leaves while it is not settled: `.restore-*` folders in the data folder and its
 * staging or swapped-aside databases. Empty when nothing is left.
 */
export async function restoreLeftovers(
  docker: Docker,
  project: string,
  dataDir: string,
): Promise<string[]> {
  const folders = readdirSync(dataDir).filter((n) => n.startsWith('.restore'));
  const dbs = (await psql(docker, project, 'postgres', 'SELECT datname FROM pg_database'))
    .split('\n')
    .filter((n) => n === RESTORE_DB || n === PREVIOUS_DB);
  return [...folders, ...dbs];
}

/**
 * The backend image whose migrations the project's `migrate` job applies: the job runs on
 * PostgreSQL's image, and a label names the image its migrations are read from.
 */
export async function migrationsFrom(docker: Docker, project: string): Promise<string | undefined> {
  const [migrate] = await docker.listContainers({
    all: true,
    filters: { label: [projectLabel(project), 'com.docker.compose.service=migrate'] },
  });
  return migrate?.Labels['org.medianest.appliance.migrations-from'];
}

/** Service -> how many containers the project has for it (running or not). */
export async function containersPerService(
  docker: Docker,
  project: string,
): Promise<Record<string, number>> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [projectLabel(project)] },
  });
  const counts: Record<string, number> = {};
  for (const c of containers) {
    const service = c.Labels['com.docker.compose.service'] ?? `(no service: ${c.Names.join(',')})`;
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

/**
 * Containers outside the project that belong to this test all the same: made from one of its own
 * images (an image reader, a one-off) or mounting something under its folder (an ownership
 * helper, a restore's helper). Each as `name (image)`.
 */
export async function strayContainers(
  docker: Docker,
  project: string,
  own: { images: readonly string[]; folder: string },
): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return all
    .filter((c) => c.Labels['com.docker.compose.project'] !== project)
    .filter(
      (c) =>
        own.images.includes(c.Image) ||
        (c.Mounts ?? []).some((m) => (m.Source ?? '').startsWith(own.folder)),
    )
    .map((c) => `${c.Names.join(',')} (${c.Image})`);
}

export interface StatusRow {
  service: string;
  state: string;
  health: string;
  image: string;
}

/**
 * Waits (up to 90 s) until every long-running service runs and Docker calls it healthy (its first
 * check runs one interval after the start); fails with the ones that are not. Returns the rows.
 */
export async function untilHealthy(status: () => Promise<StatusRow[]>): Promise<StatusRow[]> {
  let rows: StatusRow[] = [];
  let bad: StatusRow[] = [];
  for (let tries = 0; tries < 45; tries += 1) {
    rows = await status();
    bad = rows.filter(
      (r) => r.service !== 'migrate' && !(r.state === 'running' && r.health === 'healthy'),
    );
    if (bad.length === 0) return rows;
    await new Promise((r) => setTimeout(r, 2000));
  }
  expect(bad, 'services not healthy').toEqual([]);
  return rows;
}
