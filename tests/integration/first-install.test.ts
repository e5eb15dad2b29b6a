/**
 * A first install that fails, through the API on the rig: with a taken port it is refused before
 * anything starts, and with a service that cannot come up it takes down what it started. Either
 * way the home is left as it was (no stack folder, no settings), nothing is pulled (the old
 * rollback rendered the defaults, which name registry images, and pulled them), no container or
 * network of the project remains, and the error is one short message saying what to do.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { recordEvents, type EventRecorder } from './support/events.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mnfirst${process.pid}`;
const home = mkdtempSync(join(tmpdir(), 'mna-first-'));
const takenPort = await freeHttpPort();
const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
let server: AppServer;
let client: ApiClient;
let recorder: EventRecorder;
let holder: TcpServer;

const finished =
  (jobId: string) =>
  (e: ServerEvent): e is Extract<ServerEvent, { type: 'job.finished' }> =>
    e.type === 'job.finished' && e.jobId === jobId;

async function projectLeftovers(): Promise<string[]> {
  const label = `com.docker.compose.project=${PROJECT}`;
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  return [...containers.map((c) => c.Names.join(',')), ...networks.map((n) => n.Name)];
}

function pulls(jobId: string): ServerEvent[] {
  return recorder.events.filter(
    (e) =>
      e.type === 'stack.progressed' &&
      e.jobId === jobId &&
      e.progress.type === 'stack.image-pulling',
  );
}

/** The home holds only what the server keeps for itself (its database and job lock). */
function stackLeftovers(): string[] {
  return readdirSync(home).filter((name) => ['stack', 'data'].includes(name));
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  holder = createTcpServer();
  await new Promise<void>((resolve) => holder.listen(takenPort, '127.0.0.1', resolve));
  server = createServer({
    home,
    env: { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT },
    logger: createLogger({ write: () => undefined }),
    monitorHealth: false,
  });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
  recorder = await recordEvents(url, token);
});

afterAll(async () => {
  recorder.close();
  await server.stop();
  await new Promise((resolve) => holder.close(resolve));
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('a first install that fails', () => {
  it('on a taken port: one short message naming the port, nothing pulled, nothing left', async () => {
    const { jobId } = await client.install({
      settings: { images, httpPort: takenPort, httpsPort: takenPort + 1 },
    });
    const end = await recorder.waitFor(finished(jobId), 120_000);
    expect(end.outcome).toBe('failed');
    const message = end.error?.message ?? '';
    expect(message).toContain(`Port ${takenPort}`);
    expect(message).toContain('choose another port');
    expect(message).not.toMatch(/pull|previous settings/i);
    expect(message.match(/Nothing was/g) ?? []).toHaveLength(1);
    expect(message.length).toBeLessThan(300);
    expect(pulls(jobId)).toEqual([]);
    expect(stackLeftovers()).toEqual([]);
    expect(await projectLeftovers()).toEqual([]);
    expect(await client.settings({})).toEqual({});
  });

  it('when a service cannot come up: what it started is taken down and removed', async () => {
    const { jobId } = await client.install({
      settings: {
        images,
        httpPort: takenPort + 2,
        httpsPort: takenPort + 3,
        resources: { frontend: { memory: '6m' } },
      },
    });
    const end = await recorder.waitFor(finished(jobId), 240_000);
    expect(end.outcome).toBe('failed');
    const message = end.error?.message ?? '';
    expect(message).toMatch(/frontend (exited|ran out of memory|did not become healthy)/);
    expect(message).toContain('Nothing was installed');
    expect(message).not.toMatch(/previous settings/i);
    // It had started the services before the frontend: they are gone again.
    const started = recorder.events.filter(
      (e) =>
        e.type === 'stack.progressed' &&
        e.jobId === jobId &&
        e.progress.type === 'stack.service-progressed' &&
        e.progress.action === 'removed',
    );
    expect(started.length).toBeGreaterThan(0);
    expect(pulls(jobId)).toEqual([]);
    expect(stackLeftovers()).toEqual([]);
    expect(existsSync(join(home, 'stack', 'secrets'))).toBe(false);
    expect(await projectLeftovers()).toEqual([]);
    expect(await client.settings({})).toEqual({});
  });

  it('then installs on free ports, and the checks call its own port MediaNest’s, not taken', async () => {
    const httpPort = takenPort + 4;
    const { jobId } = await client.install({
      settings: { images, httpPort, httpsPort: takenPort + 5 },
    });
    const end = await recorder.waitFor(finished(jobId), 240_000);
    expect(end.outcome, end.error?.message).toBe('succeeded');
    // The bar moves with the services that come up, not stuck at 20 % until the end.
    const steps = recorder.events.flatMap((e) =>
      e.type === 'job.progressed' && e.jobId === jobId ? [e] : [],
    );
    const middle = steps.filter((e) => (e.percent ?? 0) > 20 && (e.percent ?? 0) < 100);
    expect(middle.length).toBeGreaterThanOrEqual(4);
    expect(steps.map((e) => e.step)).toContain('6 of 6 services ready');
    const report = await client.doctor({});
    expect(report.checks.find((c) => c.id === 'ports.http')).toMatchObject({
      status: 'ok',
      summary: `MediaNest's nginx answers on port ${httpPort}.`,
    });
    // Someone else's program on the port asked about is still a problem, in the UI's words.
    const other = await client.doctor({ httpPort: takenPort });
    const taken = other.checks.find((c) => c.id === 'ports.http');
    expect(taken?.status).toBe('fail');
    expect(taken?.fix).toBe(
      `Stop the program that uses port ${takenPort}, or choose another HTTP port for MediaNest.`,
    );
  });
});
