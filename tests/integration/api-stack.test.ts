/**
 * The server's API against the rig, through the typed client: install the stack and watch its job
 * to the end, preview and apply a settings change, a change that fails is rolled back, a second
 * job meanwhile is told the server is busy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { request } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = 'mnapi';
const home = mkdtempSync(join(tmpdir(), 'mna-api-'));
const httpPort = await freeHttpPort();
const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;
const log: string[] = [];

const removeProject = (): Promise<void> => removeComposeProject(docker, PROJECT);

const finished =
  (jobId: string) =>
  (e: ServerEvent): e is Extract<ServerEvent, { type: 'job.finished' }> =>
    e.type === 'job.finished' && e.jobId === jobId;

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
  recorder.close();
  await server.stop();
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('the API drives the stack', () => {
  it('refuses bad install settings per field, before any job starts', async () => {
    const error = await client
      .install({ settings: { httpPort: 0, domain: 'bad domain$(reboot)', images } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const details = (error as ApiError).details as { fields: Record<string, string> };
    expect((error as ApiError).status).toBe(422);
    expect(Object.keys(details.fields).sort()).toEqual(['domain', 'httpPort']);
    expect(await client.jobs({})).toEqual([]);
  });

  it('installs the stack as a job, with progress events to a healthy end', async () => {
    const { jobId, kind } = await client.install({
      settings: { images, httpPort, httpsPort: httpPort + 1, pullPolicy: 'never' },
    });
    expect(kind).toBe('install');
    const busy = await client
      .stackAction({ action: 'restart', services: [] })
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ code: 'busy', status: 409 });
    expect((busy as ApiError).message).toContain(`Busy with install (job ${jobId})`);

    const end = await recorder.waitFor(finished(jobId), 150_000);
    expect(end.outcome, JSON.stringify(end.error)).toBe('succeeded');
    const mine = recorder.events.filter((e) => 'jobId' in e && e.jobId === jobId);
    expect(
      mine.some((e) => e.type === 'job.progressed' && e.step.includes('starting services')),
    ).toBe(true);
    const ready = mine.flatMap((e) =>
      e.type === 'stack.progressed' &&
      e.progress.type === 'stack.service-progressed' &&
      e.progress.action === 'ready'
        ? [e.progress.service]
        : [],
    );
    expect(ready.sort()).toEqual(['backend', 'frontend', 'migrate', 'nginx', 'postgres', 'redis']);

    const status = await client.stackStatus({});
    for (const row of status.filter((r) => r.service !== 'migrate'))
      expect(row.health, row.service).toBe('healthy');
    expect(await client.job({ id: jobId })).toMatchObject({
      state: 'succeeded',
      kind: 'install',
      percent: 100,
    });
    expect((await request(`http://127.0.0.1:${httpPort}/`)).status).toBe(200);
  });

  it('previews a settings change, then applies it, recreating what the preview named', async () => {
    const newPort = httpPort + 2;
    const preview = await client.settingsPreview({ changes: { httpPort: newPort } });
    expect(preview.diff.some((d) => d.op === '+' && d.text.includes(`${newPort}:80`))).toBe(true);
    expect(preview.diff.some((d) => d.op === '-' && d.text.includes(`${httpPort}:80`))).toBe(true);
    expect(preview.services.recreated).toContain('nginx');
    expect(preview.services.recreated).not.toContain('postgres');
    expect(preview.config).toMatchObject({ httpPort: newPort });

    const before: Record<string, string> = Object.fromEntries(
      (
        await docker.listContainers({
          filters: { label: [`com.docker.compose.project=${PROJECT}`] },
        })
      ).map((c): [string, string] => [c.Labels['com.docker.compose.service'] ?? '', c.Id]),
    );
    const { jobId } = await client.settingsApply({ changes: { httpPort: newPort } });
    expect((await recorder.waitFor(finished(jobId), 150_000)).outcome).toBe('succeeded');
    const after = await docker.listContainers({
      filters: { label: [`com.docker.compose.project=${PROJECT}`] },
    });
    for (const c of after) {
      const service = c.Labels['com.docker.compose.service'] ?? '';
      if (preview.services.recreated.includes(service))
        expect(c.Id, service).not.toBe(before[service]);
      else expect(c.Id, service).toBe(before[service]);
    }
    expect((await request(`http://127.0.0.1:${newPort}/`)).status).toBe(200);
    expect(await client.settings({})).toMatchObject({ httpPort: newPort });
  });

  it('rolls a change that cannot come up back to the previous settings, and says why', async () => {
    const good = await client.settings({});
    const composeBefore = readFileSync(join(home, 'stack', 'compose.yaml'), 'utf8');
    const { jobId } = await client.settingsApply({
      changes: { images: { ...images, frontend: 'medianest-rig/not-built:1' } },
    });
    const end = await recorder.waitFor(finished(jobId), 150_000);
    expect(end.outcome).toBe('failed');
    expect(end.error?.message).toContain('the previous settings were restored');
    expect(end.error?.message).toContain('medianest-rig/not-built:1');
    expect(await client.settings({})).toEqual(good);
    expect(readFileSync(join(home, 'stack', 'compose.yaml'), 'utf8')).toBe(composeBefore);
    const status = await client.stackStatus({});
    for (const row of status.filter((r) => r.service !== 'migrate'))
      expect(row.health, row.service).toBe('healthy');
  });

  it('rolls back a change whose service fails its health gate, restoring the running stack', async () => {
    const good = await client.settings({});
    const { jobId } = await client.settingsApply({
      changes: { resources: { frontend: { memory: '6m' } } },
    });
    const end = await recorder.waitFor(finished(jobId), 200_000);
    expect(end.outcome).toBe('failed');
    expect(end.error?.message).toContain('the previous settings were restored');
    expect(end.error?.message).toMatch(
      /frontend (exited|ran out of memory|did not become healthy)/,
    );
    expect(await client.settings({})).toEqual(good);
    const [frontend] = await docker.listContainers({
      filters: {
        label: [`com.docker.compose.project=${PROJECT}`, 'com.docker.compose.service=frontend'],
      },
    });
    const info = await docker.getContainer(frontend?.Id ?? '').inspect();
    expect(info.HostConfig.Memory).toBeGreaterThan(6 * 1024 ** 2);
    const status = await client.stackStatus({});
    for (const row of status.filter((r) => r.service !== 'migrate'))
      expect(row.health, row.service).toBe('healthy');
  });

  it('keeps job history and never logs a secret value', async () => {
    const jobs = await client.jobs({});
    expect(jobs.map((j) => `${j.kind}:${j.state}`)).toEqual([
      'settings:failed',
      'settings:failed',
      'settings:succeeded',
      'install:succeeded',
    ]);
    const secrets = ['jwt_secret', 'postgres_password', 'redis_password', 'encryption_key'].map(
      (name) => readFileSync(join(home, 'stack', 'secrets', name), 'utf8').trim(),
    );
    const everything = log.join('\n') + JSON.stringify(recorder.events);
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
  });
});
