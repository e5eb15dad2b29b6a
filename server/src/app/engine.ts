/**
 * One way to the Docker engine for every area: the discovery context, the compose project (checked
 * once) and the `engine_unavailable` wrapping of an address the adapters cannot use.
 */
import { homedir } from 'node:os';
import { AppError } from '../core/app-error.js';
import { discoverEngines } from '../core/doctor/discovery.js';
import type { DiscoveryContext, HostProbe } from '../core/doctor/host-probe.js';
import { PROJECT_NAME } from '../core/stack/compose-model.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';

export type Env = Record<string, string | undefined>;

/** What engine discovery looks at on this machine: env, platform, home folder, user, probes. */
export function discoveryContext(
  env: Env,
  probe: HostProbe = new NodeHostProbe(),
): DiscoveryContext {
  return {
    env,
    platform: process.platform,
    homeDir: homedir(),
    uid: process.getuid?.() ?? 0,
    probe,
  };
}

/** The engine to drive: the first one discovery finds (DOCKER_HOST, context, known sockets). */
export function engineEndpoint(env: Env): string {
  const first = discoverEngines(discoveryContext(env)).candidates[0];
  if (!first) {
    throw new AppError(
      'engine_unavailable',
      'No Docker engine was found. Run `medianest-appliance doctor` to see what to do.',
    );
  }
  return first.endpoint;
}

/** The compose project this home's stack runs as (unchecked: see `EngineAccess.checkedProject`). */
export function composeProject(env: Env): string {
  return env.MEDIANEST_COMPOSE_PROJECT ?? PROJECT_NAME;
}

export interface EngineAccess {
  /** The compose project as configured (what the monitors filter on). */
  readonly project: string;
  /** The project, refused (`validation_failed`) unless a valid compose project name. */
  checkedProject(): string;
  /**
   * Builds an adapter on the engine discovery finds, for the checked project. No engine, or an
   * address the adapter cannot use, is `engine_unavailable`.
   */
  connect<T>(make: (endpoint: string, project: string) => T): T;
}

const PROJECT_RULE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function engineAccess(env: Env): EngineAccess {
  const project = composeProject(env);
  const checkedProject = (): string => {
    // Set only by tests that run several stacks side by side on one engine.
    if (!PROJECT_RULE.test(project)) {
      throw new AppError(
        'validation_failed',
        'MEDIANEST_COMPOSE_PROJECT: lowercase letters, digits, - and _ only',
      );
    }
    return project;
  };
  return {
    project,
    checkedProject,
    connect(make) {
      const checked = checkedProject();
      const endpoint = engineEndpoint(env);
      try {
        return make(endpoint, checked);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError(
          'engine_unavailable',
          `The Docker engine address is not usable: ${(error as Error).message}`,
        );
      }
    },
  };
}
