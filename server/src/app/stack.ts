/**
 * The composition root: builds core services from infra adapters for one appliance home.
 * Used by the CLI and by createServer, so both drive the stack the same way.
 */
import { homedir } from 'node:os';
import type { StackProgress } from '../contract/stack.js';
import { AppError } from '../core/app-error.js';
import { discoverEngines } from '../core/doctor/discovery.js';
import { StackService } from '../core/stack/stack-service.js';
import type { DomainEvent } from '../contract/events.js';
import { HealthMonitor } from '../core/health/health-monitor.js';
import { PROJECT_NAME } from '../core/stack/compose-model.js';
import { loadPlan } from '../core/stack/stack-files.js';
import { DockerodeHealthProbe } from '../infra/docker/dockerode-health-probe.js';
import { DockerodeStackGateway } from '../infra/docker/dockerode-stack-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';

/** The engine to drive: the first one discovery finds (DOCKER_HOST, context, known sockets). */
export function engineEndpoint(env: Record<string, string | undefined>): string {
  const probe = new NodeHostProbe();
  const { candidates } = discoverEngines({
    env,
    platform: process.platform,
    homeDir: homedir(),
    uid: process.getuid?.() ?? 0,
    probe,
  });
  const first = candidates[0];
  if (!first) {
    throw new AppError(
      'engine_unavailable',
      'No Docker engine was found. Run `medianest-appliance doctor` to see what to do.',
    );
  }
  return first.endpoint;
}

export function createStackService(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  onProgress: (event: StackProgress) => void,
): StackService {
  let gateway: DockerodeStackGateway;
  let healthProbe: DockerodeHealthProbe;
  try {
    const endpoint = engineEndpoint(env);
    gateway = new DockerodeStackGateway(endpoint);
    healthProbe = new DockerodeHealthProbe(endpoint);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'engine_unavailable',
      `The Docker engine address is not usable: ${(error as Error).message}`,
    );
  }
  const project = env.MEDIANEST_COMPOSE_PROJECT;
  if (project !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(project)) {
    throw new AppError(
      'validation_failed',
      'MEDIANEST_COMPOSE_PROJECT: lowercase letters, digits, - and _ only',
    );
  }
  return new StackService(
    {
      fs: new NodeFileSystem(),
      gateway,
      probe: new NodeHostProbe(),
      onProgress,
      now: () => new Date(),
      healthProbe,
    },
    {
      stackDir: paths.stackDir,
      composeFile: paths.composeFile,
      secretsDir: paths.secretsDir,
      // Only for tests that run several stacks side by side on one engine.
      ...(project ? { project } : {}),
    },
  );
}

/** The compose project this home's stack runs as. */
export function composeProject(env: Record<string, string | undefined>): string {
  return env.MEDIANEST_COMPOSE_PROJECT ?? PROJECT_NAME;
}

/**
 * Host ports the running containers of this home's stack publish, with the service of each: the
 * doctor calls them MediaNest's own rather than taken. Empty when no engine answers.
 */
export async function publishedPorts(
  env: Record<string, string | undefined>,
): Promise<Map<number, string>> {
  const owned = new Map<number, string>();
  try {
    const gateway = new DockerodeStackGateway(engineEndpoint(env));
    for (const container of await gateway.listContainers(composeProject(env))) {
      if (container.state !== 'running') continue;
      for (const port of container.ports) {
        const host = Number(/:(\d+)->/.exec(port)?.[1]);
        if (host) owned.set(host, container.service);
      }
    }
  } catch {
    // No engine, no containers: nothing of ours holds a port.
  }
  return owned;
}

/** Live health of this home's stack, following the engine's events (started by createServer). */
export function createHealthMonitor(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  publish: (event: DomainEvent) => void,
  mediaNestUrl?: () => string | undefined,
): HealthMonitor {
  const fs = new NodeFileSystem();
  const project = composeProject(env);
  const location = {
    stackDir: paths.stackDir,
    composeFile: paths.composeFile,
    secretsDir: paths.secretsDir,
    project,
  };
  return new HealthMonitor({
    gateway: () => new DockerodeStackGateway(engineEndpoint(env)),
    plan: async () => ((await fs.exists(paths.composeFile)) ? loadPlan(fs, location) : undefined),
    project,
    publish,
    now: () => new Date(),
    ...(mediaNestUrl ? { mediaNestUrl } : {}),
  });
}
