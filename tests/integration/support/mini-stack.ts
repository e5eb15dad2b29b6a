/**
 * A minimal MediaNest stack on the rig for integration tests: a private network, PostgreSQL and Redis
 * with password files bind-mounted at /run/secrets, the migrate job, and the backend published on
 * 127.0.0.1. Containers are hardened the way the appliance's stack engine runs them.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import {
  createNetwork,
  removeLabelled,
  publishedPort,
  runContainer,
  waitForExit,
  waitUntil,
  execIn,
  logsOf,
} from './containers.js';
import { request } from './http.js';
import { afterAll, beforeAll } from 'vitest';
import { imageOf, rigDocker, rigEnv, type RigEnv } from './rig.js';
import { prepareMigrations } from '../../../server/src/core/stack/migrations.js';
import { NodeFileSystem } from '../../../server/src/infra/fs/node-file-system.js';
import { DockerodeStackGateway } from '../../../server/src/infra/docker/dockerode-stack-gateway.js';

/** The migrate job's script, as the stack mounts it. */
export const MIGRATE_SHIM = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../compose-templates/files/shims/apply-migrations.sh',
);

/** Capabilities postgres and redis need after `cap_drop: ALL` (chown the data folder, drop to their user). */
export const DATA_SERVICE_CAPS = ['CHOWN', 'SETUID', 'SETGID', 'DAC_OVERRIDE', 'FOWNER'] as const;

/** 64 hex characters; re-rolled in the rare case it contains a pattern MediaNest's validator refuses. */
export function hexSecret(bytes = 32): string {
  for (;;) {
    const value = randomBytes(bytes).toString('hex');
    if (!value.includes('123456')) return value;
  }
}

export interface MiniStack {
  readonly suite: string;
  readonly network: string;
  /** Temporary folder holding secrets/, postgres/, redis/, uploads/ */
  readonly dir: string;
  readonly postgres: Docker.Container;
  readonly redis: Docker.Container;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Environment of a production backend that passes MediaNest's secret validation. */
  readonly backendEnv: Readonly<Record<string, string>>;
}

function dataDir(root: string, name: string, uid?: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  // A folder the installer prepared for uid 1001; as non-root, an open folder does the same job.
  if (uid !== undefined) {
    if (process.getuid?.() === 0) chownSync(dir, uid, uid);
    else chmodSync(dir, 0o777);
  }
  return dir;
}

export async function startMiniStack(
  docker: Docker,
  env: RigEnv,
  suite: string,
): Promise<MiniStack> {
  const id = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `mn-${suite}-`));
  const secrets = dataDir(dir, 'secrets');
  const pgPassword = hexSecret(16);
  const redisPassword = hexSecret(16);
  // The real images read their secret files after dropping to their own user: world-readable here.
  writeFileSync(join(secrets, 'postgres_password'), pgPassword, { mode: 0o644 });
  writeFileSync(join(secrets, 'redis_password'), redisPassword, { mode: 0o644 });

  const network = `mn-${suite}-${id}`;
  await createNetwork(docker, suite, network);
  const hardened = { capDrop: ['ALL'], capAdd: [...DATA_SERVICE_CAPS] };

  const postgres = await runContainer(docker, {
    suite,
    name: `mn-${suite}-${id}-postgres`,
    image: imageOf(env, 'postgres'),
    network,
    aliases: ['postgres'],
    env: {
      POSTGRES_USER: 'medianest',
      POSTGRES_DB: 'medianest',
      POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password',
      POSTGRES_INITDB_ARGS: '--encoding=UTF-8 --lc-collate=C --lc-ctype=C',
    },
    binds: {
      [dataDir(dir, 'postgres')]: '/var/lib/postgresql/data',
      [join(secrets, 'postgres_password')]: '/run/secrets/postgres_password:ro',
    },
    ...hardened,
  });
  const redis = await runContainer(docker, {
    suite,
    name: `mn-${suite}-${id}-redis`,
    image: imageOf(env, 'redis'),
    network,
    aliases: ['redis'],
    env: { REDIS_PASSWORD_FILE: '/run/secrets/redis_password' },
    cmd: ['redis-server', '--appendonly', 'yes', '--appendfsync', 'everysec'],
    binds: {
      [dataDir(dir, 'redis')]: '/data',
      [join(secrets, 'redis_password')]: '/run/secrets/redis_password:ro',
    },
    ...hardened,
  });
  await waitUntil('postgres to accept connections', async () => {
    const r = await execIn(postgres, ['pg_isready', '-U', 'medianest', '-d', 'medianest']);
    return r.exitCode === 0 ? true : undefined;
  });
  await waitUntil('redis to answer PING', async () => {
    const r = await execIn(redis, ['redis-cli', '--no-auth-warning', '-a', redisPassword, 'ping']);
    return r.stdout.trim() === 'PONG' ? true : undefined;
  });

  const databaseUrl = `postgresql://medianest:${pgPassword}@postgres:5432/medianest?sslmode=prefer&connection_limit=20&pool_timeout=30`;
  const redisUrl = `redis://:${redisPassword}@redis:6379`;
  dataDir(dir, 'uploads', 1001);
  const backendEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET: hexSecret(),
    ENCRYPTION_KEY: hexSecret(),
    METRICS_TOKEN: hexSecret(24),
    PLEX_CLIENT_ID: hexSecret(8),
    PLEX_CLIENT_SECRET: hexSecret(8),
  };
  return { suite, network, dir, postgres, redis, databaseUrl, redisUrl, backendEnv };
}

/**
 * Runs the appliance's migrate job as the stack runs it: the migrations read from the backend image
 * (without starting it) by the app's own code, applied by compose-templates' apply-migrations.sh in
 * the PostgreSQL image with the DATABASE_URL secret. Returns its exit code and log.
 */
export async function runMigrate(
  docker: Docker,
  env: RigEnv,
  stack: MiniStack,
  options: {
    /** The backend image to read the migrations from; the rig's by default. */
    image?: string;
    /** Another database of the stack's PostgreSQL; the stack's own by default. */
    databaseUrl?: string;
  } = {},
): Promise<{ exitCode: number; log: string }> {
  const image = options.image ?? imageOf(env, 'migrate');
  const migrations = join(stack.dir, 'migrations');
  await prepareMigrations(
    new DockerodeStackGateway(env.dockerHost),
    new NodeFileSystem(),
    image,
    migrations,
  );
  const secret = join(stack.dir, 'secrets', 'database_url');
  writeFileSync(secret, options.databaseUrl ?? stack.databaseUrl, { mode: 0o644 });
  const job = await runContainer(docker, {
    suite: stack.suite,
    name: `${stack.network}-migrate-${randomBytes(2).toString('hex')}`,
    image: imageOf(env, 'postgres'),
    network: stack.network,
    user: '1001:1001',
    env: { HOME: '/tmp', MIGRATIONS: '/opt/medianest/migrations' },
    entrypoint: ['/bin/sh', '/opt/medianest/apply-migrations.sh'],
    cmd: [],
    binds: {
      [MIGRATE_SHIM]: '/opt/medianest/apply-migrations.sh:ro',
      [migrations]: '/opt/medianest/migrations:ro',
      [secret]: '/run/secrets/database_url:ro',
    },
    capDrop: ['ALL'],
  });
  const exitCode = await waitForExit(job, 60_000);
  return { exitCode, log: await logsOf(job) };
}

export interface Backend {
  readonly container: Docker.Container;
  /** http://127.0.0.1:<published port>; changes when the container restarts */
  baseUrl: string;
}

/**
 * Starts the backend (aliased "backend") and waits until GET /api/health answers 200 (one request
 * that reaches it: MediaNest's production rate limiter counts it). With a nameSuffix it starts
 * another backend next to the first: container `<network>-backend-<suffix>`, aliased
 * `backend-<suffix>`, so "backend" still names only the first.
 */
export async function startBackend(
  docker: Docker,
  env: RigEnv,
  stack: MiniStack,
  extraEnv: Readonly<Record<string, string>> = {},
  nameSuffix?: string,
): Promise<Backend> {
  const name = nameSuffix ? `backend-${nameSuffix}` : 'backend';
  const container = await runContainer(docker, {
    suite: stack.suite,
    name: `${stack.network}-${name}`,
    image: imageOf(env, 'backend'),
    network: stack.network,
    aliases: [name],
    env: { ...stack.backendEnv, ...extraEnv },
    binds: { [join(stack.dir, 'uploads')]: '/app/backend/uploads' },
    publish: [4000],
    capDrop: ['ALL'],
  });
  const backend: Backend = { container, baseUrl: '' };
  await waitForBackend(backend);
  return backend;
}

/** (Re)reads the published port and waits for GET /api/health to answer 200. */
export async function waitForBackend(backend: Backend, timeoutMs = 60_000): Promise<void> {
  backend.baseUrl = `http://127.0.0.1:${await publishedPort(backend.container, 4000)}`;
  await waitUntil(
    'the backend to answer /api/health',
    async () =>
      (await request(`${backend.baseUrl}/api/health`, { timeoutMs: 2000 })).status === 200
        ? true
        : undefined,
    timeoutMs,
  );
}

export function removeStackDir(stack: MiniStack): void {
  rmSync(stack.dir, { recursive: true, force: true });
}

export interface MiniStackSuite {
  readonly env: RigEnv;
  readonly docker: Docker;
  readonly stack: MiniStack;
}

/**
 * A suite's own mini stack: started before its tests and removed after them (with `cleanup` first,
 * e.g. images the suite built). The function returned gives it, or fails the test with the
 * setup's own error instead of leaving it skipped.
 */
export function useMiniStack(
  suite: string,
  cleanup: (given: MiniStackSuite) => Promise<void> = async () => undefined,
): () => MiniStackSuite {
  let given: MiniStackSuite | undefined;
  let setupError: Error | undefined;
  beforeAll(async () => {
    try {
      const env = rigEnv();
      const docker = rigDocker(env);
      await removeLabelled(docker, suite);
      given = { env, docker, stack: await startMiniStack(docker, env, suite) };
    } catch (e) {
      setupError = e instanceof Error ? e : new Error(String(e));
    }
  }, 120_000);
  afterAll(async () => {
    if (!given) return;
    await cleanup(given);
    await removeLabelled(given.docker, suite);
    removeStackDir(given.stack);
  }, 120_000);
  return () => {
    if (!given) throw setupError ?? new Error('setup did not run');
    return given;
  };
}

/** psql as the database's owner inside the stack's PostgreSQL; rows as tab-separated lines. */
export async function psqlRows(
  stack: MiniStack,
  database: string,
  query: string,
): Promise<string[]> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'medianest', '-d', database];
  const result = await execIn(stack.postgres, ['psql', ...args, '-At', '-F', '\t', '-c', query]);
  if (result.exitCode !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((l) => l.length > 0);
}

/** A fresh database owned by the backend's user, and the DATABASE_URL that reaches it. */
export async function createDatabase(stack: MiniStack, name: string): Promise<string> {
  await psqlRows(stack, 'medianest', `CREATE DATABASE ${name} OWNER medianest`);
  return stack.databaseUrl.replace('/medianest?', `/${name}?`);
}
