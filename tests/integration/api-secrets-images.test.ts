/**
 * The server's secrets and images routes against the rig, through the typed client: install the
 * stack, list the secrets (never a value), rotate postgres_password, redis_password, metrics_token
 * and jwt_secret each as a job (the stack healthy after each, the old credential refused), a
 * refused rotation answering why without a job; then build images from the MediaNest-shaped
 * fixture and load back an archive saved from one of them. Only this file's compose project and
 * its own image tags (medianest-test/api-<run>:*) are removed afterwards: other runs share the
 * engine.
 */
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { removeComposeProject } from './support/project.js';
import { execInService, processEnvOf, type ExecOutput } from './support/service-exec.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const run = randomBytes(4).toString('hex');
const PROJECT = `mnasi-${run}`;
const REPO = `medianest-test/api-${run}`;
const label = `com.docker.compose.project=${PROJECT}`;
const home = mkdtempSync(join(tmpdir(), 'mna-api-secrets-'));
const work = mkdtempSync(join(tmpdir(), 'mna-api-images-'));
const src = join(work, 'src');
const secretsDir = join(home, 'stack', 'secrets');
const httpPort = await freeHttpPort();
const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const PUBLIC_VALUES = new Set(['MediaNest', 'not-used-for-pin-auth']);

let server: AppServer | undefined;
let client: ApiClient;
let recorder: EventRecorder | undefined;
const log: string[] = [];
/** Every secret value the stack held at any point. */
const canaries = new Set<string>();

const removeProject = (): Promise<void> => removeComposeProject(docker, PROJECT);

async function removeOurImages(): Promise<void> {
  for (const image of await docker.listImages({ filters: { reference: [REPO] } })) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${REPO}:`))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => undefined);
    }
  }
}

/** The current values on disk (remembered as canaries). */
function secrets(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of readdirSync(secretsDir)) {
    if (name.startsWith('.') || !statSync(join(secretsDir, name)).isFile()) continue;
    const value = readFileSync(join(secretsDir, name), 'utf8').trim();
    values[name] = value;
    if (!PUBLIC_VALUES.has(value)) canaries.add(value);
  }
  return values;
}

const finished =
  (jobId: string) =>
  (e: ServerEvent): e is Extract<ServerEvent, { type: 'job.finished' }> =>
    e.type === 'job.finished' && e.jobId === jobId;

/** Waits for the job's `job.finished` event and expects it to have succeeded. */
async function succeeds(jobId: string, timeoutMs = 170_000): Promise<void> {
  if (!recorder) throw new Error('no event recorder');
  const end = await recorder.waitFor(finished(jobId), timeoutMs);
  expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
  expect(await client.job({ id: jobId })).toMatchObject({ state: 'succeeded', percent: 100 });
}

const exec = (
  service: string,
  cmd: string[],
  options?: { env?: string[]; stdin?: string },
): Promise<ExecOutput> => execInService(docker, label, service, cmd, options);
const processEnv = (service: string): Promise<Map<string, string>> =>
  processEnvOf(docker, label, service);

/** Every service healthy (migrate done), as the API reports it. */
async function expectHealthy(): Promise<void> {
  const status = await client.stackStatus({});
  expect(status.map((r) => r.service).sort()).toEqual([
    'backend',
    'frontend',
    'migrate',
    'nginx',
    'postgres',
    'redis',
  ]);
  for (const row of status) {
    if (row.service === 'migrate') expect(row).toMatchObject({ state: 'exited', exitCode: 0 });
    else expect(row, row.service).toMatchObject({ state: 'running', health: 'healthy' });
  }
}

/** Rotates through the API as a job to `succeeded`; returns the old and the new value. */
async function rotate(
  name: string,
  input: { graceDays?: number } = {},
): Promise<{ old: string; fresh: string }> {
  const old = secrets()[name] ?? '';
  expect(old).not.toBe('');
  const { jobId, kind } = await client.rotateSecret({ name, ...input });
  expect(kind).toBe('rotate');
  await succeeds(jobId);
  const fresh = secrets()[name] ?? '';
  expect(fresh).not.toBe('');
  expect(fresh === old).toBe(false);
  return { old, fresh };
}

/** The rig's base image: the `medianest-rig/base:*` tag the stand-ins were built on. */
async function rigBaseImage(): Promise<string> {
  const backend = await docker.getImage(imageOf(rig, 'backend')).inspect();
  const bottom = backend.RootFS.Layers?.[0];
  const candidates = await docker.listImages({ filters: { reference: ['medianest-rig/base'] } });
  for (const candidate of candidates) {
    const info = await docker.getImage(candidate.Id).inspect();
    if (bottom && info.RootFS.Layers?.[0] === bottom) {
      const tag = candidate.RepoTags?.find((t) => t.startsWith('medianest-rig/base:'));
      if (tag) return tag;
    }
  }
  throw new Error(
    `no medianest-rig/base:* image under ${imageOf(rig, 'backend')}: rebuild the rig (bash tests/rig/up.sh)`,
  );
}

beforeAll(async () => {
  await removeProject();
  server = createServer({
    home,
    env: { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT },
    logger: createLogger({ write: (line) => log.push(line) }),
  });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
  recorder = await recordEvents(url, token);
});

afterAll(async () => {
  recorder?.close();
  await server?.stop();
  await removeProject();
  await removeOurImages();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('secrets through the API', () => {
  it('installs the stack as a job to a healthy end', async () => {
    const { jobId, kind } = await client.install({
      settings: { images, httpPort, httpsPort: httpPort + 1, pullPolicy: 'never' },
    });
    expect(kind).toBe('install');
    await succeeds(jobId, 200_000);
    await expectHealthy();
  }, 240_000);

  it('lists names, ages and consumers, never a value', async () => {
    const values = secrets();
    const listed = await client.secrets({});
    const names = listed.map((s) => s.name);
    for (const name of [
      'postgres_password',
      'redis_password',
      'metrics_token',
      'jwt_secret',
      'encryption_key',
    ])
      expect(names).toContain(name);
    for (const row of listed) {
      expect(row.ageSeconds, row.name).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(row.modifiedAt)), row.name).toBe(false);
      expect(Array.isArray(row.consumers), row.name).toBe(true);
    }
    expect(listed.find((s) => s.name === 'postgres_password')).toMatchObject({
      consumers: ['postgres'],
      rotatable: true,
    });
    expect(listed.find((s) => s.name === 'metrics_token')?.consumers).toContain('backend');
    expect(listed.find((s) => s.name === 'encryption_key')).toMatchObject({ rotatable: false });
    const shown = JSON.stringify(listed);
    const present = Object.values(values).filter((v) => !PUBLIC_VALUES.has(v));
    expect(present.length).toBeGreaterThan(4);
    for (const value of present) expect(shown.includes(value)).toBe(false);
  });

  it('refuses encryption_key with the reason, starting no job', async () => {
    const before = await client.jobs({});
    const refusal = await client.rotateSecret({ name: 'encryption_key' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ status: 409, code: 'conflict' });
    expect((refusal as ApiError).message).toMatch(/encrypts the Plex tokens and service API keys/);
    expect(await client.jobs({})).toEqual(before);
  });

  it('rotates postgres_password: healthy, and PostgreSQL refuses the old password', async () => {
    const { old, fresh } = await rotate('postgres_password');
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
  });

  it('rotates redis_password: healthy, and Redis answers the old password with WRONGPASS', async () => {
    const { old, fresh } = await rotate('redis_password');
    const ping = (password: string) =>
      exec('redis', ['redis-cli', '-h', '127.0.0.1'], { stdin: `AUTH ${password}\nPING\n` });
    const refused = (await ping(old)).stdout;
    expect(refused).toMatch(/WRONGPASS/);
    expect(refused).toMatch(/NOAUTH/);
    expect((await ping(fresh)).stdout).toMatch(/^OK\nPONG/);
    await expectHealthy();
  });

  it('rotates metrics_token: healthy, and /metrics answers 401 to the old bearer token', async () => {
    const { old, fresh } = await rotate('metrics_token');
    // nginx sends /metrics to the frontend: ask the backend itself.
    const metrics = async (token: string): Promise<string> =>
      (
        await exec(
          'backend',
          [
            'curl',
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '-K',
            '-',
            'http://127.0.0.1:4000/metrics',
          ],
          { stdin: `header = "Authorization: Bearer ${token}"\n` },
        )
      ).stdout;
    expect(await metrics(old)).toBe('401');
    expect(await metrics(fresh)).toBe('200');
    await expectHealthy();
  });

  it('rotates jwt_secret with no grace: healthy, and the backend no longer holds the old value', async () => {
    const { old, fresh } = await rotate('jwt_secret', { graceDays: 0 });
    const backend = await processEnv('backend');
    expect(backend.get('JWT_SECRET') === fresh).toBe(true);
    expect([...backend.values()].includes(old)).toBe(false);
    expect(
      (await client.secrets({})).find((s) => s.name === 'jwt_secret_rotation')?.graceUntil,
    ).toBeUndefined();
    await expectHealthy();
  });

  it('kept every value out of the answers, the job history and the log', async () => {
    secrets();
    const rotations = (await client.jobs({})).filter((j) => j.kind === 'rotate');
    expect(rotations.map((j) => j.state)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const everything =
      log.join('\n') +
      JSON.stringify(recorder?.events ?? []) +
      JSON.stringify(await client.jobs({ limit: 200 })) +
      JSON.stringify(await client.secrets({}));
    const leaked = [...canaries].filter((value) => everything.includes(value));
    expect(leaked.length).toBe(0);
  });
});

describe('images through the API', () => {
  const frontendRef = `${REPO}:frontend`;
  const backendRef = `${REPO}:backend`;

  it('builds backend and frontend from a MediaNest source folder as a job', async () => {
    const base = await rigBaseImage();
    cpSync(here('../fixtures/medianest-source'), src, { recursive: true });
    const standins = here('../rig/images');
    cpSync(join(standins, 'backend/server.js'), join(src, 'backend/src/server.js'));
    cpSync(join(standins, 'backend/lib'), join(src, 'backend/src/lib'), { recursive: true });
    cpSync(join(standins, 'frontend/server.js'), join(src, 'frontend/src/server.js'));
    cpSync(join(standins, 'frontend/index.html'), join(src, 'frontend/src/index.html'));

    const refused = await client
      .imagesBuild({ sourceDir: join(work, 'missing') })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(422);

    const { jobId, kind } = await client.imagesBuild({
      sourceDir: src,
      images: { backend: backendRef, frontend: frontendRef },
      buildArgs: { BASE: base },
    });
    expect(kind).toBe('image-build');
    await succeeds(jobId, 170_000);
    const steps = (recorder?.events ?? []).flatMap((e) =>
      e.type === 'job.progressed' && e.jobId === jobId ? [e.step] : [],
    );
    expect(steps.some((s) => /^backend \(1\/2\): step \d+\/\d+ /.test(s))).toBe(true);
    expect(steps.at(-1)).toBe(`Built backend=${backendRef} frontend=${frontendRef}`);
    for (const ref of [backendRef, frontendRef])
      expect((await docker.getImage(ref).inspect()).RepoTags).toContain(ref);
  }, 200_000);

  it('loads an archive saved from the built frontend, bringing its tag back', async () => {
    const before = await docker.getImage(frontendRef).inspect();
    const archive = join(work, 'frontend.tar');
    await pipeline(await docker.getImage(frontendRef).get(), createWriteStream(archive));
    await docker.getImage(frontendRef).remove();
    await expect(docker.getImage(frontendRef).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });

    const { jobId, kind } = await client.imagesLoad({ archive });
    expect(kind).toBe('image-load');
    await succeeds(jobId, 170_000);
    const after = await docker.getImage(frontendRef).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.RepoTags).toContain(frontendRef);
    const steps = (recorder?.events ?? []).flatMap((e) =>
      e.type === 'job.progressed' && e.jobId === jobId ? [e.step] : [],
    );
    expect(steps.at(-1)).toBe(`Loaded ${frontendRef}`);
  }, 200_000);
});
