/**
 * The stack area: builds the stack service and the live health monitor of one appliance home from
 * infra adapters. Used by the CLI and by createServer, so both drive the stack the same way.
 */
import type { StackProgress } from '../contract/stack.js';
import type { DomainEvent } from '../contract/events.js';
import { HealthMonitor } from '../core/health/health-monitor.js';
import { StackService } from '../core/stack/stack-service.js';
import { loadPlan } from '../core/stack/stack-files.js';
import { DockerodeHealthProbe } from '../infra/docker/dockerode-health-probe.js';
import { DockerodeStackGateway } from '../infra/docker/dockerode-stack-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';
import { engineAccess, type Env } from './engine.js';

export function createStackService(
  paths: HomePaths,
  env: Env,
  onProgress: (event: StackProgress) => void,
): StackService {
  const engine = engineAccess(env);
  const { gateway, healthProbe, project } = engine.connect((endpoint, project) => ({
    gateway: new DockerodeStackGateway(endpoint),
    healthProbe: new DockerodeHealthProbe(endpoint),
    project,
  }));
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
      ...(env.MEDIANEST_COMPOSE_PROJECT ? { project } : {}),
    },
  );
}

/**
 * Host ports the running containers of this home's stack publish, with the service of each: the
 * doctor calls them MediaNest's own rather than taken. Empty when no engine answers.
 */
export async function publishedPorts(env: Env): Promise<Map<number, string>> {
  const owned = new Map<number, string>();
  try {
    const engine = engineAccess(env);
    const gateway = engine.connect((endpoint) => new DockerodeStackGateway(endpoint));
    for (const container of await gateway.listContainers(engine.project)) {
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
  env: Env,
  publish: (event: DomainEvent) => void,
): HealthMonitor {
  const fs = new NodeFileSystem();
  const engine = engineAccess(env);
  const location = {
    stackDir: paths.stackDir,
    composeFile: paths.composeFile,
    secretsDir: paths.secretsDir,
    project: engine.project,
  };
  return new HealthMonitor({
    gateway: () => engine.connect((endpoint) => new DockerodeStackGateway(endpoint)),
    plan: async () => ((await fs.exists(paths.composeFile)) ? loadPlan(fs, location) : undefined),
    project: engine.project,
    publish,
    now: () => new Date(),
  });
}
