import { describe, expect, it } from 'vitest';
import type { EngineCandidate } from '../../contract/doctor.js';
import {
  EngineUnavailableError,
  type DockerGateway,
  type EngineFailureReason,
  type EngineInfo,
  type EngineVersion,
} from '../docker-gateway.js';
import { checkEngine, compareApiVersions, normaliseArch } from './engine-checks.js';
import { installPlan } from './install-plan.js';

const VERSION: EngineVersion = {
  version: '20.10.24',
  apiVersion: '1.41',
  os: 'linux',
  arch: 'amd64',
};
const INFO: EngineInfo = {
  osType: 'linux',
  architecture: 'x86_64',
  operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  memoryBytes: 8 * 1024 ** 3,
  cpus: 4,
  serverVersion: '20.10.24',
  name: 'nas',
};

type Behaviour =
  { fail: EngineFailureReason } | { version?: Partial<EngineVersion>; info?: Partial<EngineInfo> };

/** A gateway per endpoint, behaving as the test says. */
function fakeEngines(behaviours: Record<string, Behaviour>): (endpoint: string) => DockerGateway {
  return (endpoint) => {
    const behaviour = behaviours[endpoint] ?? { fail: 'not-found' };
    const fail = (): never => {
      if ('fail' in behaviour)
        throw new EngineUnavailableError(endpoint, behaviour.fail, `connect ${behaviour.fail}`);
      throw new Error('unreachable');
    };
    return {
      endpoint,
      ping: async () => {
        if ('fail' in behaviour) fail();
      },
      version: async () => ({ ...VERSION, ...('fail' in behaviour ? {} : behaviour.version) }),
      info: async () => ({ ...INFO, ...('fail' in behaviour ? {} : behaviour.info) }),
    };
  };
}

const socket = (
  path: string,
  kind: EngineCandidate['kind'] = 'docker-engine',
): EngineCandidate => ({
  endpoint: `unix://${path}`,
  source: 'known-socket',
  kind,
  origin: path,
});

/** The checks of the one engine at the usual socket, answering as `behaviour` says. */
const checkLocal = (behaviour: Behaviour, platform: NodeJS.Platform) => {
  const c = socket('/var/run/docker.sock');
  return checkEngine([c], fakeEngines({ [c.endpoint]: behaviour }), platform);
};

const statusOf = (checks: { id: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('engine checks', () => {
  it('passes a reachable Linux engine of a supported version and architecture', async () => {
    const candidate = socket('/var/run/docker.sock');
    const result = await checkEngine(
      [candidate],
      fakeEngines({ [candidate.endpoint]: {} }),
      'linux',
    );
    expect(statusOf(result.checks)).toEqual({
      'engine.found': 'ok',
      'engine.reachable': 'ok',
      'engine.api-version': 'ok',
      'engine.os': 'ok',
      'engine.arch': 'ok',
    });
    expect(result.engine).toMatchObject({
      reachable: true,
      version: '20.10.24',
      arch: 'amd64',
      memoryBytes: 8 * 1024 ** 3,
    });
  });

  it('fails with an install fix when no engine was found', async () => {
    const mac = installPlan({
      platform: 'darwin',
      arch: 'arm64',
      user: 'ann',
      isRoot: false,
      dockerGroup: 'absent',
      dockerInstalled: false,
      installedProducts: [],
    });
    const result = await checkEngine([], fakeEngines({}), 'darwin', () => mac);
    expect(result.engine).toBeNull();
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({
      status: 'fail',
      summary: 'No Docker engine was found on this computer.',
    });
    expect(result.checks[0]?.fix).toMatch(/^Install Docker Desktop/);
    const generic = await checkEngine([], fakeEngines({}), 'linux');
    expect(generic.checks[0]?.fix).toContain('https://docs.docker.com/engine/install/');
  });

  it.each([
    ['not-found', 'Nothing listens at'],
    ['permission-denied', 'docker group'],
    ['refused', 'refused the connection'],
    ['timeout', 'did not answer in time'],
    ['bad-endpoint', 'Correct DOCKER_HOST'],
  ] as const)('explains an unreachable engine (%s)', async (reason, fixText) => {
    const candidate: EngineCandidate = {
      endpoint: 'unix:///nonexistent.sock',
      source: 'DOCKER_HOST',
      kind: 'unknown',
      origin: 'the DOCKER_HOST environment variable',
    };
    const result = await checkEngine(
      [candidate],
      fakeEngines({ [candidate.endpoint]: { fail: reason } }),
      'linux',
    );
    const reachable = result.checks.find((c) => c.id === 'engine.reachable');
    expect(reachable?.status).toBe('fail');
    expect(reachable?.fix).toContain(fixText);
    // The summary is shown in the app: plain words, not the socket error (`connect ENOENT ...`).
    expect(reachable?.summary).toContain('unix:///nonexistent.sock');
    expect(reachable?.summary).not.toContain(`connect ${reason}`);
    expect(reachable?.summary).not.toContain(`(${reason}`);
    expect(result.engine).toMatchObject({ reachable: false, endpoint: 'unix:///nonexistent.sock' });
  });

  it('tries the next known socket when the first does not answer', async () => {
    const dead = socket('/var/run/docker.sock');
    const alive = socket('/home/user/.colima/default/docker.sock', 'colima');
    const result = await checkEngine([dead, alive], fakeEngines({ [alive.endpoint]: {} }), 'linux');
    expect(result.engine).toMatchObject({
      endpoint: alive.endpoint,
      kind: 'colima',
      reachable: true,
    });
  });

  it('does not fall back from an explicit DOCKER_HOST to another engine', async () => {
    const explicit: EngineCandidate = { ...socket('/custom.sock'), source: 'DOCKER_HOST' };
    const other = socket('/var/run/docker.sock');
    const result = await checkEngine(
      [explicit, other],
      fakeEngines({ [other.endpoint]: {} }),
      'linux',
    );
    expect(result.engine).toMatchObject({ endpoint: explicit.endpoint, reachable: false });
  });

  it('fails an engine older than the minimum API version', async () => {
    const result = await checkLocal({ version: { apiVersion: '1.40' } }, 'linux');
    expect(statusOf(result.checks)['engine.api-version']).toBe('fail');
  });

  it('fails Windows containers and explains how to switch', async () => {
    const result = await checkLocal({ info: { osType: 'windows' } }, 'win32');
    const os = result.checks.find((check) => check.id === 'engine.os');
    expect(os?.status).toBe('fail');
    expect(os?.fix).toContain('Linux containers');
  });

  it('accepts arm64 and fails other architectures', async () => {
    const arm = await checkLocal({ info: { architecture: 'aarch64' } }, 'linux');
    expect(arm.engine?.arch).toBe('arm64');
    expect(statusOf(arm.checks)['engine.arch']).toBe('ok');
    const riscv = await checkLocal({ info: { architecture: 'riscv64' } }, 'linux');
    expect(statusOf(riscv.checks)['engine.arch']).toBe('fail');
  });

  it('recognises Docker Desktop from the engine itself', async () => {
    const result = await checkLocal({ info: { operatingSystem: 'Docker Desktop' } }, 'darwin');
    expect(result.engine?.kind).toBe('docker-desktop');
  });

  it('compares API versions numerically', () => {
    expect(compareApiVersions('1.41', '1.41')).toBe(0);
    expect(compareApiVersions('1.100', '1.41')).toBeGreaterThan(0);
    expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
    expect(normaliseArch('x86_64')).toBe('amd64');
  });
});
