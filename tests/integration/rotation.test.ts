/**
 * Secret rotation on the rig (prod environment, monitoring profile, stand-in images): each
 * rotatable secret is rotated, half through the CLI and half through the API's job; after each one
 * the stack is healthy, its data is still there, the old credential is refused and the new one
 * accepted. Every value the stack ever held (old and new) is then looked for, as a canary, in
 * every container's output, in `docker inspect`, in the CLI's and the server's output, in the job
 * history and in appliance.db.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServiceStatus } from '../../server/src/contract/stack.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { dropExpiredJwtGrace } from '../../server/src/app/secrets.js';
import { cli, type CliResult } from './support/cli.js';
import { demux } from './support/containers.js';
import { request, requestJson } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { execInService, processEnvOf, type ExecOutput } from './support/service-exec.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const PROJECT = 'mnrot';
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-rotate-'));
const secretsDir = join(home, 'stack', 'secrets');
const httpPort = await freeHttpPort();
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const PUBLIC_VALUES = new Set(['MediaNest', 'not-used-for-pin-auth']);

/** Everything the appliance itself said: CLI output, the server's log. */
const appOutput: string[] = [];
/** Every container's output, gathered before the rotation that may remove the container. */
const stackOutput = new Map<string, string>();
/** Every secret value the stack held at any point. */
const canaries = new Set<string>();
let server: AppServer;
let client: ApiClient;

const label = `com.docker.compose.project=${PROJECT}`;

const removeProject = (): Promise<void> => removeComposeProject(docker, PROJECT);

async function run(args: string[]): Promise<CliResult> {
  const result = await cli(args, env);
  appOutput.push(result.stdout, result.stderr);
  if (result.code !== 0) {
    throw new Error(
      `medianest-appliance ${args.join(' ')} exited ${result.code}\n${result.stderr}`,
    );
  }
  return result;
}

/** The current canonical values (and remembers them as canaries). */
function secrets(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of readdirSync(secretsDir)) {
    if (!statSync(join(secretsDir, name)).isFile() || name.startsWith('.')) continue;
    values[name] = readFileSync(join(secretsDir, name), 'utf8').trim();
    if (!PUBLIC_VALUES.has(values[name])) canaries.add(values[name]);
  }
  return values;
}

const exec = (
  service: string,
  cmd: string[],
  options?: { env?: string[]; stdin?: string },
): Promise<ExecOutput> => execInService(docker, label, service, cmd, options);
const processEnv = (service: string): Promise<Map<string, string>> =>
  processEnvOf(docker, label, service);

/** Every container's output so far; kept per container, so removed ones still count. */
async function gatherStackOutput(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    const raw = await docker.getContainer(c.Id).logs({ stdout: true, stderr: true });
    const { stdout, stderr } = demux(raw);
    stackOutput.set(c.Id, stdout + stderr);
  }
}

async function expectHealthy(): Promise<void> {
  const result = await run(['status', '--json', ...H]);
  const rows = JSON.parse(result.stdout) as ServiceStatus[];
  expect(rows.map((r) => r.service).sort()).toEqual([
    'backend',
    'frontend',
    'grafana',
    'migrate',
    'nginx',
    'postgres',
    'prometheus',
    'redis',
  ]);
  for (const row of rows) {
    if (row.service === 'migrate') expect(row).toMatchObject({ state: 'exited', exitCode: 0 });
    else expect(row, row.service).toMatchObject({ state: 'running', health: 'healthy' });
  }
  // PostgreSQL and Redis really accept the backend's credentials (its deep check logs in to both
  // with its own secret files; MediaNest's /health/ready checks neither).
  const deep = await exec('backend', ['node', '/opt/medianest/deep-check.cjs']);
  expect(deep.stdout.trim()).toBe('database: ok, cache: ok');
}

/** The data made before the rotations, still there after each. */
async function expectData(): Promise<void> {
  const state = await requestJson<{ records: { count: number }; kv: { count: number } }>(
    `http://127.0.0.1:${httpPort}/api/v1/state`,
  );
  expect(state.status).toBe(200);
  expect(state.body.records.count).toBe(1);
  expect(state.body.kv.count).toBe(1);
}

/** Rotates through the API and waits for the job to end. */
async function rotateViaApi(name: string, input: { graceDays?: number } = {}): Promise<void> {
  const { jobId, kind } = await client.rotateSecret({ name, ...input });
  expect(kind).toBe('rotate');
  const deadline = Date.now() + 150_000;
  for (;;) {
    const job = await client.job({ id: jobId });
    if (job.state !== 'running') {
      expect(job, JSON.stringify(job.error)).toMatchObject({ state: 'succeeded', percent: 100 });
      return;
    }
    if (Date.now() > deadline) throw new Error(`rotation job ${jobId} still running`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const curlStatus = async (service: string, url: string, config: string): Promise<string> =>
  (
    await exec(service, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-K', '-', url], {
      stdin: config,
    })
  ).stdout;

beforeAll(async () => {
  await removeProject();
  await run([
    'init',
    ...H,
    '--images',
    rig.imagesFile,
    '--profile',
    'monitoring',
    '--http-port',
    String(httpPort),
    '--https-port',
    String(httpPort + 1),
  ]);
  await run(['up', ...H]);
  secrets();
  const base = `http://127.0.0.1:${httpPort}/api/v1`;
  expect((await requestJson(`${base}/records`, 'POST', { title: 'made before' })).status).toBe(201);
  expect(
    (await request(`${base}/kv/kept`, { method: 'PUT', body: 'across rotations' })).status,
  ).toBe(201);
  server = createServer({
    home,
    env,
    logger: createLogger({ level: 'debug', write: (line) => appOutput.push(line) }),
  });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await cli(['down', ...H], env);
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('secrets list', () => {
  it('shows names, ages and consumers, through the CLI and the API, never a value', async () => {
    const rows = JSON.parse((await run(['secrets', 'list', '--json', ...H])).stdout) as Array<{
      name: string;
      consumers: string[];
      rotatable: boolean;
      ageSeconds: number;
    }>;
    expect(rows.find((r) => r.name === 'postgres_password')).toMatchObject({
      consumers: ['postgres'],
      rotatable: true,
    });
    expect(rows.find((r) => r.name === 'encryption_key')?.rotatable).toBe(false);
    expect(await client.secrets({})).toEqual(
      rows.map((r) => ({ ...r, ageSeconds: expect.any(Number) as number })),
    );
    const shown = JSON.stringify(rows) + (await run(['secrets', 'list', ...H])).stdout;
    for (const value of canaries) expect(shown.includes(value)).toBe(false);
  });

  it('refuses encryption_key with the reason, and an unknown name with the valid ones', async () => {
    const cliRefusal = await cli(['secrets', 'rotate', 'encryption_key', ...H], env);
    expect(cliRefusal.code).toBe(1);
    expect(cliRefusal.stderr).toMatch(/encrypts the Plex tokens and service API keys/);
    const apiRefusal = await client
      .rotateSecret({ name: 'encryption_key' })
      .catch((e: unknown) => e);
    expect(apiRefusal).toBeInstanceOf(ApiError);
    expect(apiRefusal).toMatchObject({ status: 409, code: 'conflict' });
    const unknown = await client.rotateSecret({ name: 'jwt_secrets' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 422 });
    expect((unknown as ApiError).message).toContain(
      'postgres_password, redis_password, jwt_secret',
    );
    expect(await client.jobs({})).toEqual([]);
  });
});

describe('rotating each secret', () => {
  it('postgres_password (CLI): PostgreSQL takes the new password, the old one is refused', async () => {
    const old = secrets().postgres_password ?? '';
    await gatherStackOutput();
    const out = await run(['secrets', 'rotate', 'postgres_password', ...H]);
    expect(out.stdout).toMatch(/Rotated postgres_password \(and database_url\)/);
    const fresh = secrets().postgres_password ?? '';
    expect(fresh).not.toBe(old);
    const login = (password: string) =>
      exec(
        'postgres',
        [
          'psql',
          '-X',
          '-w',
          '-h',
          '127.0.0.1',
          '-U',
          'medianest',
          '-d',
          'medianest',
          '-tAc',
          'SELECT 1',
        ],
        { env: [`PGPASSWORD=${password}`] },
      );
    const refused = await login(old);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('password authentication failed');
    expect((await login(fresh)).stdout.trim()).toBe('1');
    await expectHealthy();
    await expectData();
  });

  it('redis_password (CLI): Redis restarts with it, its data kept; the old one gets WRONGPASS', async () => {
    const old = secrets().redis_password ?? '';
    await gatherStackOutput();
    await run(['secrets', 'rotate', 'redis_password', ...H]);
    const fresh = secrets().redis_password ?? '';
    const ping = (password: string) =>
      exec('redis', ['redis-cli', '-h', '127.0.0.1'], { stdin: `AUTH ${password}\nPING\n` });
    const refused = (await ping(old)).stdout;
    expect(refused).toMatch(/WRONGPASS/);
    expect(refused).toMatch(/NOAUTH/);
    expect((await ping(fresh)).stdout).toMatch(/^OK\nPONG/);
    expect((await processEnv('backend')).get('REDIS_URL') === `redis://:${fresh}@redis:6379`).toBe(
      true,
    );
    await expectHealthy();
    await expectData();
  });

  it('jwt_secret (API): the backend keeps the old value as JWT_SECRET_ROTATION for the grace period', async () => {
    const old = secrets().jwt_secret ?? '';
    await gatherStackOutput();
    await rotateViaApi('jwt_secret');
    const fresh = secrets().jwt_secret ?? '';
    const backend = await processEnv('backend');
    expect(backend.get('JWT_SECRET') === fresh).toBe(true);
    expect(backend.get('JWT_SECRET_ROTATION') === old).toBe(true);
    const listed = (await client.secrets({})).find((s) => s.name === 'jwt_secret_rotation');
    const days = (Date.parse(listed?.graceUntil ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    await expectHealthy();
  });

  it('once the grace period is over, the next up drops the previous jwt_secret', async () => {
    const old = secrets().jwt_secret_rotation ?? '';
    const stateFile = join(home, 'stack', 'rotation.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { jwtGraceUntil?: string };
    expect(state.jwtGraceUntil).toBeDefined();
    writeFileSync(
      stateFile,
      JSON.stringify({ jwtGraceUntil: new Date(Date.now() - 1000).toISOString() }),
    );
    await gatherStackOutput();
    // What `up` runs first (the CLI verb and the API's up job call it before reconciling).
    expect(await dropExpiredJwtGrace(homePaths(home), env)).toBe(true);
    await run(['up', ...H]);
    const backend = await processEnv('backend');
    expect(backend.get('JWT_SECRET_ROTATION') === old).toBe(false);
    expect(backend.get('JWT_SECRET_ROTATION') === secrets().jwt_secret_rotation).toBe(true);
    expect(
      (await client.secrets({})).find((s) => s.name === 'jwt_secret_rotation')?.graceUntil,
    ).toBeUndefined();
    await expectHealthy();
  });

  it('metrics_token (API): /metrics answers 401 to the old bearer token, 200 to the new', async () => {
    const old = secrets().metrics_token ?? '';
    await gatherStackOutput();
    await rotateViaApi('metrics_token');
    const fresh = secrets().metrics_token ?? '';
    // nginx sends /metrics to the frontend (only /api/ reaches the backend): ask the backend itself.
    const metrics = (token: string) =>
      curlStatus(
        'backend',
        'http://127.0.0.1:4000/metrics',
        `header = "Authorization: Bearer ${token}"\n`,
      );
    expect(await metrics(old)).toBe('401');
    expect(await metrics(fresh)).toBe('200');
    await expectHealthy();
  });

  it('nextauth_secret (API): the frontend runs with the new value only', async () => {
    const old = secrets().nextauth_secret ?? '';
    await gatherStackOutput();
    await rotateViaApi('nextauth_secret');
    const fresh = secrets().nextauth_secret ?? '';
    const frontend = await processEnv('frontend');
    expect(frontend.get('NEXTAUTH_SECRET') === fresh).toBe(true);
    expect([...frontend.values()].includes(old)).toBe(false);
    await expectHealthy();
  });

  it('grafana_password (CLI): Grafana accepts the new admin password, refuses the old', async () => {
    const old = secrets().grafana_password ?? '';
    await gatherStackOutput();
    await run(['secrets', 'rotate', 'grafana_password', ...H]);
    const fresh = secrets().grafana_password ?? '';
    const user = (password: string) =>
      curlStatus('grafana', 'http://127.0.0.1:3000/api/user', `user = "admin:${password}"\n`);
    expect(await user(old)).toBe('401');
    expect(await user(fresh)).toBe('200');
    await expectHealthy();
    await expectData();
  });
});

describe('after every rotation', () => {
  it('no old or new value appears in any log, inspect output, answer or record', async () => {
    await gatherStackOutput();
    secrets();
    // 10 generated values at install, 8 more from the six rotations (the old jwt_secret moved),
    // 1 from the end of the grace period.
    expect(canaries.size).toBeGreaterThanOrEqual(19);
    const inspected = await Promise.all(
      (await docker.listContainers({ all: true, filters: { label: [label] } })).map(async (c) =>
        JSON.stringify(await docker.getContainer(c.Id).inspect()),
      ),
    );
    const places: Record<string, string> = {
      'container output': [...stackOutput.values()].join('\n'),
      'docker inspect': inspected.join('\n'),
      'CLI output and server log': appOutput.join('\n'),
      'job history': JSON.stringify(await client.jobs({ limit: 200 })),
      'appliance.db': ['appliance.db', 'appliance.db-wal']
        .map((f) => join(home, f))
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n'),
      'rotation.json': readFileSync(join(home, 'stack', 'rotation.json'), 'utf8'),
    };
    for (const [place, text] of Object.entries(places)) {
      const leaked = [...canaries].filter((value) => text.includes(value)).length;
      expect(leaked, `secret values found in ${place}`).toBe(0);
    }
    // PostgreSQL logged no ALTER ROLE statement, not even with the verifier.
    expect(places['container output']).not.toMatch(/ALTER ROLE|SCRAM-SHA-256\$/);
    expect((await client.jobs({})).filter((j) => j.kind === 'rotate')).toHaveLength(3);
  });
});
