/**
 * The stack engine against the rig's real engine, with the stand-in images: init + up to healthy,
 * the hardening of every container, no secret in sight, idempotent re-up, targeted recreation,
 * data kept across down/up, docker-compose interop, and each failure with its message.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ServiceStatus } from '../../server/src/contract/stack.js';
import { cli, cliOk } from './support/cli.js';
import { execIn } from './support/containers.js';
import { request, requestJson } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-stack-'));
const httpPort = await freeHttpPort();
const H = ['--home', home];
const CORE = ['postgres', 'redis', 'migrate', 'backend', 'frontend', 'nginx'];

async function projectContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: ['com.docker.compose.project=medianest'] },
  });
}

/** Leftovers of an interrupted run would collide with the fixed project name. */
const removeProject = (): Promise<void> => removeComposeProject(docker, 'medianest');

const idsByService = async (): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await projectContainers()).map((c) => [c.Labels['com.docker.compose.service'] ?? '', c.Id]),
  );

/** The migrations recorded in the stack's database (psql in the postgres container). */
async function recordedMigrations(): Promise<string[]> {
  const postgres = (await projectContainers()).find(
    (c) => c.Labels['com.docker.compose.service'] === 'postgres',
  );
  if (!postgres) throw new Error('no postgres container');
  const result = await execIn(docker.getContainer(postgres.Id), [
    'psql',
    '-X',
    '-At',
    '-U',
    'medianest',
    '-d',
    'medianest',
    '-c',
    'SELECT id, migration_name, finished_at IS NOT NULL FROM "_prisma_migrations" ORDER BY migration_name',
  ]);
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n');
}

const status = async (): Promise<ServiceStatus[]> =>
  JSON.parse((await cliOk(['status', '--json', ...H])).stdout) as ServiceStatus[];

/** Every generated secret (the Plex placeholders are public, documented values). */
function secretValues(): string[] {
  const dir = join(home, 'stack', 'secrets');
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile() && !name.startsWith('plex_'))
    .map((name) => readFileSync(join(dir, name), 'utf8').trim());
}

/** Services whose rendered definition differs between two compose files. */
function changedServices(before: string, after: string): string[] {
  const a = (parse(before) as { services: Record<string, unknown> }).services;
  const b = (parse(after) as { services: Record<string, unknown> }).services;
  return Object.keys(b)
    .filter((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]))
    .sort();
}

const api = (path: string): string => `http://127.0.0.1:${httpPort}${path}`;

beforeAll(async () => {
  await removeProject();
  await cliOk([
    'init',
    ...H,
    '--images',
    rig.imagesFile,
    '--http-port',
    String(httpPort),
    '--https-port',
    String(httpPort + 1),
  ]);
  await cliOk(['up', ...H]);
});

afterAll(async () => {
  await cli(['down', ...H]);
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('init + up on the real engine (prod, stand-in images)', () => {
  it('brings every service to healthy, the migrations to completed', async () => {
    const rows = await status();
    expect(rows.map((r) => r.service).sort()).toEqual([...CORE].sort());
    for (const row of rows) {
      if (row.service === 'migrate') expect(row).toMatchObject({ state: 'exited', exitCode: 0 });
      else expect(row, row.service).toMatchObject({ state: 'running', health: 'healthy' });
    }
    // Applied without any Prisma CLI (the backend image has none), recorded as Prisma records them.
    expect((await recordedMigrations()).map((r) => r.split('|').slice(1))).toEqual([
      ['20250704075237_init', 't'],
      ['20250720000000_add_error_logs_and_missing_indexes', 't'],
      ['20250905150611_add_password_hash_to_users', 't'],
    ]);
    expect(rows.find((r) => r.service === 'migrate')?.detail).toMatch(
      /^(applied 3|nothing to apply); schema at 20250905150611_add_password_hash_to_users \(3 of 3 migrations applied\)$/,
    );
    const human = (await cliOk(['status', ...H])).stdout;
    expect(human).toContain('migrate: ');
    expect(human).toContain('schema at 20250905150611_add_password_hash_to_users');
    const page = await request(api('/'));
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('MediaNest');
  });

  it('hardens every container as promised', async () => {
    for (const summary of await projectContainers()) {
      const info = await docker.getContainer(summary.Id).inspect();
      const service = summary.Labels['com.docker.compose.service'] ?? '';
      const hc = info.HostConfig;
      const logConfig = hc.LogConfig as
        { Type: string; Config?: Record<string, string> } | undefined;
      const capAdd = (hc.CapAdd as string[] | null | undefined) ?? [];
      expect(hc.CapDrop, service).toEqual(['ALL']);
      expect(hc.SecurityOpt, service).toContain('no-new-privileges:true');
      expect(hc.ReadonlyRootfs, service).toBe(true);
      expect(logConfig, service).toMatchObject({ Type: 'json-file' });
      expect(Number(logConfig?.Config?.['max-file']), service).toBeGreaterThan(0);
      expect(hc.Memory, service).toBeGreaterThan(0);
      expect(hc.NanoCpus, service).toBeGreaterThan(0);
      expect(hc.PidsLimit, service).toBe(512);
      expect((info.Config as { StopTimeout?: number }).StopTimeout, service).toBeGreaterThanOrEqual(
        15,
      );
      if (service === 'nginx') {
        expect([...capAdd].sort()).toEqual(['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
      } else {
        expect(info.Config.User, service).toMatch(/^[1-9]\d*:\d+$/);
        expect(capAdd, service).toEqual([]);
      }
      if (service === 'migrate') {
        expect(hc.RestartPolicy?.Name).toBe('');
      } else {
        expect(hc.RestartPolicy?.Name, service).toBe('unless-stopped');
        expect(info.Config.Healthcheck?.Test?.length, service).toBeGreaterThan(0);
      }
      if (service === 'postgres' || service === 'redis') {
        expect(
          Object.values(info.NetworkSettings.Ports ?? {})
            .flat()
            .filter(Boolean),
          service,
        ).toEqual([]);
        expect(Object.keys(info.NetworkSettings.Networks), service).toEqual(['medianest_backend']);
      }
    }
    const backendNet = await docker.getNetwork('medianest_backend').inspect();
    expect(backendNet.Internal).toBe(true);
    const frontendNet = await docker.getNetwork('medianest_frontend').inspect();
    expect(frontendNet.Internal).toBe(false);
  });

  it('shows no secret value in docker inspect, the compose file or .env', async () => {
    const secrets = secretValues();
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const inspected = await Promise.all(
      (await projectContainers()).map((c) => docker.getContainer(c.Id).inspect()),
    );
    const haystacks = [
      JSON.stringify(inspected),
      readFileSync(join(home, 'stack', 'compose.yaml'), 'utf8'),
      readFileSync(join(home, 'stack', '.env'), 'utf8'),
    ];
    for (const secret of secrets)
      for (const text of haystacks) expect(text.includes(secret)).toBe(false);
    const dir = statSync(join(home, 'stack', 'secrets'));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'stack', 'secrets', 'jwt_secret')).mode & 0o777).toBe(0o600);
  });

  it('is a no-op when nothing changed: the same containers, none touched', async () => {
    const before = await idsByService();
    const migrations = await recordedMigrations();
    const result = JSON.parse((await cliOk(['up', '--json', ...H])).stdout) as {
      unchanged: string[];
      created: string[];
    };
    expect(result.created).toEqual([]);
    expect(result.unchanged.sort()).toEqual([...CORE].sort());
    expect(await idsByService()).toEqual(before);
    expect(await recordedMigrations()).toEqual(migrations);
  });

  it('passes docker-compose: it validates the file and lists our containers', () => {
    const compose = join(home, 'stack', 'compose.yaml');
    const env = { ...process.env, DOCKER_HOST: rig.dockerHost };
    const config = spawnSync('docker-compose', ['-p', 'medianest', '-f', compose, 'config', '-q'], {
      env,
      encoding: 'utf8',
    });
    expect(config.status, config.stderr).toBe(0);
    const ps = spawnSync(
      'docker-compose',
      ['-p', 'medianest', '-f', compose, 'ps', '--services', '--filter', 'status=running'],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout.trim().split('\n').sort()).toEqual(CORE.filter((s) => s !== 'migrate').sort());
  });

  it('keeps records, files and keys across down and up', async () => {
    const file = randomBytes(512 * 1024);
    expect(
      (await requestJson(api('/api/v1/records'), 'POST', { title: 'kept across down/up' })).status,
    ).toBe(201);
    const put = await request(api('/api/v1/files/poster.bin'), { method: 'PUT', body: file });
    expect(put.status).toBe(201);
    expect(
      (await request(api('/api/v1/kv/session'), { method: 'PUT', body: 'abc' })).status,
    ).toBeLessThan(300);
    const before = (await requestJson<Record<string, unknown>>(api('/api/v1/state'))).body;

    const down = await cliOk(['down', ...H]);
    expect(down.stdout).toContain('data is kept');
    expect(await projectContainers()).toEqual([]);
    await cliOk(['up', ...H]);

    expect((await requestJson<Record<string, unknown>>(api('/api/v1/state'))).body).toEqual(before);
    const back = await request(api('/api/v1/files/poster.bin'));
    expect(createHash('sha256').update(back.body).digest('hex')).toBe(
      createHash('sha256').update(file).digest('hex'),
    );
  });

  it('recreates only the service whose image changed', async () => {
    const before = await idsByService();
    const map = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
    const [repo, tag] = (map.nginx ?? '').split(':');
    await docker
      .getImage(map.nginx ?? '')
      .tag({ repo: repo ?? '', tag: `${tag ?? 'latest'}-retagged` });
    const images = join(home, 'images-retagged.json');
    writeFileSync(images, JSON.stringify({ ...map, nginx: `${repo}:${tag}-retagged` }));
    await cliOk(['init', ...H, '--images', images]);
    const result = JSON.parse((await cliOk(['up', '--json', ...H])).stdout) as {
      recreated: string[];
      unchanged: string[];
    };
    expect(result.recreated).toEqual(['nginx']);
    const after = await idsByService();
    for (const service of CORE.filter((s) => s !== 'nginx'))
      expect(after[service], service).toBe(before[service]);
    expect(after.nginx).not.toBe(before.nginx);
    await cliOk(['init', ...H, '--images', rig.imagesFile]);
    await cliOk(['up', ...H]);
  });

  it('after a port change recreates exactly the services whose definition changed', async () => {
    const composeFile = join(home, 'stack', 'compose.yaml');
    const before = await idsByService();
    const oldCompose = readFileSync(composeFile, 'utf8');
    const newPort = httpPort + 3;
    await cliOk(['init', ...H, '--http-port', String(newPort)]);
    const changed = changedServices(oldCompose, readFileSync(composeFile, 'utf8'));
    // The public URL feeds the backend's CORS origin and the frontend's URLs; the data services never see it.
    expect(changed).toContain('nginx');
    expect(changed).not.toContain('postgres');
    expect(changed).not.toContain('redis');
    const result = JSON.parse((await cliOk(['up', '--json', ...H])).stdout) as {
      recreated: string[];
    };
    expect(result.recreated.sort()).toEqual(changed);
    const after = await idsByService();
    for (const service of CORE) {
      if (changed.includes(service)) expect(after[service], service).not.toBe(before[service]);
      else expect(after[service], service).toBe(before[service]);
    }
    expect((await request(`http://127.0.0.1:${newPort}/`)).status).toBe(200);
    await cliOk(['init', ...H, '--http-port', String(httpPort)]);
    await cliOk(['up', ...H]);
  });
});

describe('failures explained, nothing else changed', () => {
  it('refuses a missing image under pull policy "never" before touching anything', async () => {
    const before = await idsByService();
    const images = join(home, 'images-missing.json');
    const map = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
    writeFileSync(images, JSON.stringify({ ...map, frontend: 'medianest-rig/not-built:1' }));
    await cliOk(['init', ...H, '--images', images, '--pull-policy', 'never']);
    const r = await cli(['up', ...H]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('medianest-rig/not-built:1 (for frontend)');
    expect(r.stderr).toContain('pull policy is "never"');
    expect(await idsByService()).toEqual(before);
    await cliOk(['init', ...H, '--images', rig.imagesFile, '--pull-policy', 'missing']);
  });

  it('refuses a host port another program holds, naming it, before touching anything', async () => {
    const before = await idsByService();
    const blocker: Server = createServer();
    const taken = httpPort + 5;
    await new Promise<void>((resolve) => blocker.listen(taken, '0.0.0.0', resolve));
    try {
      await cliOk(['init', ...H, '--http-port', String(taken)]);
      const r = await cli(['up', ...H]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`Port ${taken} \\(for nginx\\) is already in use by node \\(pid \\d+\\)`),
      );
      expect(await idsByService()).toEqual(before);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await cliOk(['init', ...H, '--http-port', String(httpPort)]);
    }
  });

  it('names a service that never becomes healthy, with its last health-check output', async () => {
    const composeFile = join(home, 'stack', 'compose.yaml');
    const original = readFileSync(composeFile, 'utf8');
    const edited = parse(original) as { services: Record<string, { healthcheck?: unknown }> };
    edited.services.frontend!.healthcheck = {
      test: ['CMD-SHELL', 'echo "frontend check: nothing on 3000" && exit 1'],
      interval: '1s',
      timeout: '1s',
      retries: 2,
      start_period: '0s',
    };
    writeFileSync(composeFile, stringify(edited));
    try {
      const r = await cli(['up', ...H]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('frontend did not become healthy within its healthcheck budget');
      expect(r.stderr).toContain('Last health check: frontend check: nothing on 3000');
    } finally {
      writeFileSync(composeFile, original);
      await cliOk(['up', ...H]);
    }
  });

  it('explains an engine that cannot be reached, without a stack trace', async () => {
    const r = await cli(['up', ...H], { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Docker engine cannot be reached (ENOENT)');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
