import type { DockerInstallPlan } from '../../contract/docker-setup.js';
import type { DoctorCheck, EngineCandidate, EngineSummary } from '../../contract/doctor.js';
import {
  EngineUnavailableError,
  type DockerGatewayFactory,
  type EngineFailureReason,
  type EngineInfo,
  type EngineVersion,
} from '../docker-gateway.js';

/** Docker 20.10. Everything the stack engine uses (healthchecks, exec, events) exists from here on. */
export const MIN_API_VERSION = '1.41';

export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function normaliseArch(arch: string): string {
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'amd64') return 'amd64';
  if (a === 'aarch64' || a === 'arm64') return 'arm64';
  return a;
}

/** The install plan, worked out only when needed (it reads the host). */
export type PlanOf = () => DockerInstallPlan | undefined;

/** What to do without an engine: the install plan's sentence (its commands are shown with it). */
function installFix(planOf: PlanOf | undefined): string {
  return (
    planOf?.()?.summary ??
    'Install Docker (https://docs.docker.com/engine/install/) and start it; then check again.'
  );
}

/**
 * What an unreachable engine means, in plain words: the app shows this summary, so no errno code
 * (ENOENT, ECONNREFUSED) or socket error text; the reason alone chooses the words.
 */
function unreachableSummary(error: EngineUnavailableError, endpoint: string): string {
  switch (error.reason) {
    case 'not-found':
      return `Nothing answers at ${endpoint}: Docker is not installed there, or not running.`;
    case 'permission-denied':
      return `This user may not use the Docker engine at ${endpoint}.`;
    case 'refused':
      return `The Docker engine at ${endpoint} refused the connection: it is stopped or restarting.`;
    case 'timeout':
      return `The Docker engine at ${endpoint} did not answer in time.`;
    case 'bad-endpoint':
      return `The Docker engine address ${endpoint} is not usable.`;
    default:
      return `The Docker engine at ${endpoint} cannot be reached.`;
  }
}

function unreachableFix(
  error: EngineUnavailableError,
  candidate: EngineCandidate,
  platform: NodeJS.Platform,
  plan: PlanOf | undefined,
): string {
  const where = candidate.source === 'DOCKER_HOST' ? 'DOCKER_HOST' : candidate.origin;
  switch (error.reason) {
    case 'not-found':
      return `Nothing listens at ${candidate.endpoint}. Start the engine, or correct ${where}. ${installFix(plan)}`;
    case 'permission-denied':
      return platform === 'linux'
        ? `This user may not use ${candidate.endpoint}. Add it to the docker group (\`sudo usermod -aG docker $USER\`, then log out and back in), or use rootless Docker. Members of the docker group can in effect do anything on this computer (the engine runs as root): add only accounts you trust that much.`
        : `This user may not use ${candidate.endpoint}; check the engine's socket permissions.`;
    case 'refused':
      return `The engine at ${candidate.endpoint} refused the connection: it is stopped or restarting. Start it and run the check again.`;
    case 'timeout':
      return `The engine at ${candidate.endpoint} did not answer in time: it may be starting or overloaded. Wait a moment and run the check again.`;
    case 'bad-endpoint':
      return `Correct ${where}: use unix:///path/to/docker.sock, npipe:////./pipe/docker_engine or tcp://host:port.`;
    default:
      return `Check that the engine at ${candidate.endpoint} is running, then run the check again.`;
  }
}

export interface EngineProbeResult {
  engine: EngineSummary | null;
  checks: DoctorCheck[];
  /** Why the engine found could not be used, when it could not. */
  failure?: EngineFailureReason;
}

interface Reached {
  candidate: EngineCandidate;
  version: EngineVersion;
  info: EngineInfo;
}

/**
 * Connects to the first usable engine and checks what the stack needs of it. An explicit choice
 * (DOCKER_HOST or a docker context) is the only one tried: silently using another engine would
 * install the stack somewhere the user did not ask for.
 */
export async function checkEngine(
  candidates: EngineCandidate[],
  connect: DockerGatewayFactory,
  platform: NodeJS.Platform,
  plan?: PlanOf,
): Promise<EngineProbeResult> {
  const first = candidates[0];
  if (!first) {
    return {
      engine: null,
      checks: [
        {
          id: 'engine.found',
          title: 'Docker engine',
          status: 'fail',
          summary: 'No Docker engine was found on this computer.',
          fix: installFix(plan),
        },
      ],
    };
  }
  const explicit = first.source === 'DOCKER_HOST' || first.source === 'context';
  const toTry = explicit ? [first] : candidates;
  let reached: Reached | undefined;
  let lastError: EngineUnavailableError | undefined;
  let lastCandidate = first;
  for (const candidate of toTry) {
    lastCandidate = candidate;
    try {
      const gateway = connect(candidate.endpoint);
      await gateway.ping();
      const [version, info] = await Promise.all([gateway.version(), gateway.info()]);
      reached = { candidate, version, info };
      break;
    } catch (error) {
      lastError =
        error instanceof EngineUnavailableError
          ? error
          : new EngineUnavailableError(candidate.endpoint, 'other', String(error), {
              cause: error,
            });
    }
  }

  const found: DoctorCheck = {
    id: 'engine.found',
    title: 'Docker engine',
    status: 'ok',
    summary: `Found ${describeKind(lastCandidate)} at ${lastCandidate.endpoint} (from ${lastCandidate.origin}).`,
  };
  if (!reached) {
    const error = lastError ?? new EngineUnavailableError(first.endpoint, 'other', 'unknown error');
    return {
      engine: { ...lastCandidate, reachable: false },
      failure: error.reason,
      checks: [
        found,
        {
          id: 'engine.reachable',
          title: 'Engine reachable',
          status: 'fail',
          summary: unreachableSummary(error, lastCandidate.endpoint),
          fix: unreachableFix(error, lastCandidate, platform, plan),
        },
      ],
    };
  }

  const { candidate, version, info } = reached;
  const kind = info.operatingSystem.includes('Docker Desktop') ? 'docker-desktop' : candidate.kind;
  const engine: EngineSummary = {
    ...candidate,
    kind,
    reachable: true,
    version: version.version,
    apiVersion: version.apiVersion,
    os: info.osType || version.os,
    arch: normaliseArch(info.architecture || version.arch),
    operatingSystem: info.operatingSystem,
    memoryBytes: info.memoryBytes,
  };
  const checks: DoctorCheck[] = [
    {
      ...found,
      summary: `Found ${describeKind({ ...candidate, kind })} at ${candidate.endpoint} (from ${candidate.origin}).`,
    },
    {
      id: 'engine.reachable',
      title: 'Engine reachable',
      status: 'ok',
      summary: `Docker ${version.version} answers (${info.operatingSystem || 'unknown system'}).`,
    },
  ];
  const apiOk = compareApiVersions(version.apiVersion, MIN_API_VERSION) >= 0;
  checks.push({
    id: 'engine.api-version',
    title: 'Engine API version',
    status: apiOk ? 'ok' : 'fail',
    summary: `API ${version.apiVersion}; at least ${MIN_API_VERSION} is needed.`,
    ...(apiOk ? {} : { fix: 'Update Docker to version 20.10 or newer.' }),
  });
  const linux = (engine.os ?? '').toLowerCase() === 'linux';
  checks.push({
    id: 'engine.os',
    title: 'Linux containers',
    status: linux ? 'ok' : 'fail',
    summary: linux
      ? 'The engine runs Linux containers.'
      : `The engine runs ${engine.os} containers.`,
    ...(linux
      ? {}
      : {
          fix: 'Switch Docker Desktop to Linux containers (tray menu: "Switch to Linux containers").',
        }),
  });
  const archOk = engine.arch === 'amd64' || engine.arch === 'arm64';
  checks.push({
    id: 'engine.arch',
    title: 'CPU architecture',
    status: archOk ? 'ok' : 'fail',
    summary: `The engine's architecture is ${engine.arch}.`,
    ...(archOk
      ? {}
      : {
          fix: 'MediaNest images exist for amd64 (x86-64) and arm64 only; use a machine with one of those.',
        }),
  });
  return { engine, checks };
}

const KIND_NAMES: Record<EngineCandidate['kind'], string> = {
  'docker-engine': 'Docker Engine',
  'docker-engine-rootless': 'rootless Docker Engine',
  'docker-desktop': 'Docker Desktop',
  colima: 'Colima',
  'rancher-desktop': 'Rancher Desktop',
  podman: "Podman's Docker-compatible socket",
  orbstack: 'OrbStack',
  unknown: 'a Docker engine',
};

function describeKind(candidate: Pick<EngineCandidate, 'kind'>): string {
  return KIND_NAMES[candidate.kind];
}
