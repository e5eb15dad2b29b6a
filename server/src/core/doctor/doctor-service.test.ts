import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../docker-gateway.js';
import { runDoctor, type DoctorDeps } from './doctor-service.js';
import type { HostProbe, PortProbe } from './host-probe.js';
import { linuxHost, release } from './host-os.test-support.js';

const GB = 1024 ** 3;

function fakeProbe(
  overrides: { ports?: Record<number, PortProbe>; freeBytes?: number; memory?: number } = {},
): HostProbe {
  return {
    isSocket: () => false,
    readText: () => undefined,
    listDir: () => [],
    realPath: (p) => p,
    freeDiskBytes: async (path) => ({
      path,
      freeBytes: overrides.freeBytes ?? 100 * GB,
      totalBytes: 500 * GB,
    }),
    totalMemoryBytes: () => overrides.memory ?? 16 * GB,
    probePort: async (port) => overrides.ports?.[port] ?? { state: 'free' },
  };
}

function deps(
  probe: HostProbe,
  env: Record<string, string> = { DOCKER_HOST: 'unix:///nonexistent.sock' },
): DoctorDeps {
  return {
    discovery: { env, platform: 'linux', homeDir: '/home/user', uid: 1000, probe },
    probe,
    connect: (endpoint) => ({
      endpoint,
      ping: () =>
        Promise.reject(new EngineUnavailableError(endpoint, 'not-found', 'connect ENOENT')),
      version: () => Promise.reject(new Error('not reached')),
      info: () => Promise.reject(new Error('not reached')),
    }),
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
}

const options = { dataDir: '/srv/medianest', httpPort: 80, httpsPort: 443 };

describe('doctor', () => {
  it('is not ready when the engine cannot be reached, and says what to do', async () => {
    const report = await runDoctor(deps(fakeProbe()), options);
    expect(report.ready).toBe(false);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['engine.reachable']);
    expect(failed[0]?.fix).toContain('Start the engine, or correct DOCKER_HOST');
    expect(report.checkedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('names the program holding a taken port; the flag to choose another only for the CLI', async () => {
    const probe = fakeProbe({ ports: { 80: { state: 'taken', holder: 'apache2 (pid 812)' } } });
    const report = await runDoctor(deps(probe), options);
    const http = report.checks.find((c) => c.id === 'ports.http');
    expect(http).toMatchObject({
      status: 'fail',
      summary: 'Port 80 is already in use by apache2 (pid 812).',
      fix: 'Stop the program that uses port 80, or choose another HTTP port for MediaNest.',
    });
    expect(http?.fix).not.toContain('--');
    expect(http?.cliFix).toContain('--http-port N');
  });

  it('does not call a port taken when MediaNest itself publishes it', async () => {
    const probe = fakeProbe({ ports: { 80: { state: 'taken', holder: 'docker-proxy (pid 9)' } } });
    const report = await runDoctor(deps(probe), { ...options, ownPorts: new Map([[80, 'nginx']]) });
    expect(report.checks.find((c) => c.id === 'ports.http')).toMatchObject({
      status: 'ok',
      summary: "MediaNest's nginx answers on port 80.",
    });
  });

  it('checks the configured ports, not the defaults', async () => {
    const probe = fakeProbe({ ports: { 80: { state: 'taken' } } });
    const report = await runDoctor(deps(probe), { ...options, httpPort: 8080, httpsPort: 8443 });
    expect(report.checks.find((c) => c.id === 'ports.http')?.title).toBe('Port 8080 (HTTP)');
    expect(report.checks.find((c) => c.id === 'ports.http')?.status).toBe('ok');
  });

  it('treats a privileged port nobody listens on as usable', async () => {
    const probe = fakeProbe({ ports: { 443: { state: 'privileged' } } });
    const report = await runDoctor(deps(probe), options);
    expect(report.checks.find((c) => c.id === 'ports.https')?.status).toBe('ok');
  });

  it.each([
    [50 * GB, 'ok'],
    [9 * GB, 'warn'],
    [1.5 * GB, 'fail'],
  ])('rates %d free bytes at the data folder as %s', async (freeBytes, status) => {
    const report = await runDoctor(deps(fakeProbe({ freeBytes })), options);
    const disk = report.checks.find((c) => c.id === 'disk.data');
    expect(disk?.status).toBe(status);
    if (status !== 'ok') {
      expect(disk?.fix).toContain('choose a data folder on a bigger disk');
      expect(disk?.fix).not.toContain('--');
      expect(disk?.cliFix).toContain('--data-dir');
    }
  });

  it('warns under 4 GB of memory', async () => {
    const report = await runDoctor(deps(fakeProbe({ memory: 2 * GB })), options);
    expect(report.checks.find((c) => c.id === 'memory')).toMatchObject({ status: 'warn' });
  });

  it('carries discovery notes into the engine check', async () => {
    const probe: HostProbe = {
      ...fakeProbe(),
      readText: (path) =>
        path === '/home/user/.docker/config.json' ? '{"currentContext":"gone"}' : undefined,
    };
    const report = await runDoctor(deps(probe, {}), options);
    expect(report.checks[0]?.summary).toContain('No Docker engine was found');
    expect(report.checks[0]?.summary).toContain('"gone" was not found');
  });

  it('without an engine, says what to do on this distribution and carries the plan', async () => {
    const fedora = linuxHost(release('fedora', [], 'Fedora Linux 41'));
    const report = await runDoctor(
      { ...deps(fakeProbe(), {}), describeHost: () => fedora },
      options,
    );
    const found = report.checks.find((c) => c.id === 'engine.found');
    expect(found?.fix).toBe(
      'Docker is not installed on Fedora Linux 41: install Docker Engine from your distribution (the commands are below).',
    );
    // The Debian-only advice is gone: a Fedora user is not told to run apt-get.
    expect(JSON.stringify(report.checks)).not.toMatch(/apt-get/);
    expect(report.installPlan?.family).toBe('fedora');
    expect(report.installPlan?.script).toContain('sudo dnf install -y moby-engine');
  });

  it('with a working engine, carries no install plan', async () => {
    const probe = fakeProbe();
    const base = deps(probe);
    const report = await runDoctor(
      {
        ...base,
        describeHost: () => {
          throw new Error('not asked');
        },
        connect: (endpoint) => ({
          endpoint,
          ping: async () => undefined,
          version: async () => ({
            version: '27.0.0',
            apiVersion: '1.46',
            os: 'linux',
            arch: 'amd64',
          }),
          info: async () => ({
            osType: 'linux',
            architecture: 'x86_64',
            operatingSystem: 'Debian',
            memoryBytes: 16 * GB,
            cpus: 4,
            serverVersion: '27.0.0',
            name: 'nas',
          }),
        }),
      },
      options,
    );
    expect(report.engine?.reachable).toBe(true);
    expect(report.installPlan).toBeUndefined();
  });

  it('an engine this user may not use gets the docker-group plan, not an install', async () => {
    const base = deps(fakeProbe());
    const report = await runDoctor(
      {
        ...base,
        connect: (endpoint) => ({
          ...base.connect(endpoint),
          ping: () =>
            Promise.reject(new EngineUnavailableError(endpoint, 'permission-denied', 'EACCES')),
        }),
        describeHost: () => ({
          platform: 'linux',
          release: { id: 'debian', idLike: [] },
          arch: 'x64',
          user: 'ann',
          isRoot: false,
          dockerGroup: 'not-member',
          dockerInstalled: true,
          installedProducts: [],
        }),
      },
      options,
    );
    expect(report.installPlan?.script).toBe('sudo usermod -aG docker ann');
    expect(report.checks.find((c) => c.id === 'engine.reachable')?.fix).toMatch(/docker group/);
  });
});
