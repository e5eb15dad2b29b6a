/**
 * Every profile and the other environments, brought up by the reconciler on the rig: the tls
 * profile (self-signed certificate, nginx on the https port), monitoring (Prometheus, Grafana),
 * devtools (pgAdmin, redis-commander, MailHog); and the test environment (database on tmpfs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../server/src/contract/stack.js';
import { cli, cliOk } from './support/cli.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const homes: string[] = [];

const removeProject = (project: string): Promise<void> => removeComposeProject(docker, project);

async function bringUp(
  project: string,
  args: string[],
): Promise<{ home: string; env: NodeJS.ProcessEnv; status: ServiceStatus[] }> {
  await removeProject(project);
  const home = mkdtempSync(join(tmpdir(), `mna-${project}-`));
  homes.push(home);
  const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project };
  await cliOk(['init', '--home', home, '--images', rig.imagesFile, ...args], env);
  await cliOk(['up', '--home', home], env);
  const status = JSON.parse(
    (await cliOk(['status', '--json', '--home', home], env)).stdout,
  ) as ServiceStatus[];
  return { home, env, status };
}

function httpsGet(port: number, path: string): Promise<{ status: number; subject: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path, rejectUnauthorized: false, timeout: 10_000 },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            subject: JSON.stringify(cert.subjectaltname ?? ''),
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

afterAll(async () => {
  for (const [i, home] of homes.entries()) {
    await cli(['down', '--home', home], {
      ...process.env,
      DOCKER_HOST: rig.dockerHost,
      MEDIANEST_COMPOSE_PROJECT: ['mnprof', 'mntest'][i],
    });
    rmSync(home, { recursive: true, force: true });
  }
  await removeProject('mnprof');
  await removeProject('mntest');
});

describe('profiles and environments on the real engine', () => {
  it('runs prod with tls, monitoring and devtools: every service healthy, https served', async () => {
    const port = await freeHttpPort();
    const { status } = await bringUp('mnprof', [
      '--profile',
      'tls',
      '--profile',
      'monitoring',
      '--profile',
      'devtools',
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ]);
    const names = status.map((s) => s.service).sort();
    for (const service of [
      'grafana',
      'mailhog',
      'nginx',
      'pgadmin',
      'prometheus',
      'redis-commander',
    ]) {
      expect(names).toContain(service);
    }
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const row of status.filter((s) => s.service !== 'migrate')) {
      expect(row, row.service).toMatchObject({ state: 'running', health: 'healthy' });
    }
    const tls = await httpsGet(port + 1, '/');
    expect(tls.status).toBe(200);
    expect(tls.subject).toContain('localhost');
  });

  it('runs the test environment with the database on tmpfs and nothing persisted', async () => {
    const port = await freeHttpPort();
    const { status } = await bringUp('mntest', [
      '--env',
      'test',
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ]);
    for (const row of status.filter((s) => s.service !== 'migrate'))
      expect(row.health, row.service).toBe('healthy');
    const [postgres] = await docker.listContainers({
      filters: {
        label: ['com.docker.compose.project=mntest', 'com.docker.compose.service=postgres'],
      },
    });
    const info = await docker.getContainer(postgres?.Id ?? '').inspect();
    expect(Object.keys(info.HostConfig.Tmpfs ?? {})).toContain('/var/lib/postgresql/data');
    expect(info.Config.Cmd?.join(' ')).toContain('fsync=off');
  });
});
