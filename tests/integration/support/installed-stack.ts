/**
 * The whole stack installed the user's way (`init` + `up` through the CLI) under a test's own
 * compose project, and a real server watching it with its event stream recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { createApiClient, type ApiClient } from '../../../server/src/contract/client.js';
import type { ServerEvent } from '../../../server/src/contract/events.js';
import { createServer, type AppServer, type ServerOptions } from '../../../server/src/index.js';
import { createLogger } from '../../../server/src/infra/log/logger.js';
import { cliOk } from './cli.js';
import { recordEvents, type EventRecorder } from './events.js';
import { freeHttpPort } from './ports.js';
import { removeComposeProject } from './project.js';
import type { RigEnv } from './rig.js';

export interface WatchedStack {
  readonly home: string;
  readonly server: AppServer;
  readonly client: ApiClient;
  readonly recorder: EventRecorder;
  /** The container of a service of this stack (running or not). */
  containerOf(service: string): Promise<Docker.Container>;
  /** Stops the server, removes the project's containers and networks and the temporary home. */
  remove(): Promise<void>;
}

/** The environment the CLI and the server get: an engine and the test's own compose project. */
export function stackEnv(dockerHost: string, project: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: dockerHost, MEDIANEST_COMPOSE_PROJECT: project };
}

/**
 * `init` into `home` the user's way: every service on its stand-in image, HTTP and HTTPS on a
 * pair of free ports below the ephemeral range (support/ports.ts), plus `more`
 * flags (profiles, a domain). Returns the two ports.
 */
export async function initStack(
  rig: RigEnv,
  home: string,
  env: NodeJS.ProcessEnv,
  imagesFile = rig.imagesFile,
  more: readonly string[] = [],
): Promise<{ httpPort: number; httpsPort: number }> {
  const port = await freeHttpPort();
  const ports = ['--http-port', String(port), '--https-port', String(port + 1)];
  await cliOk(['init', '--home', home, '--images', imagesFile, ...ports, ...more], env);
  return { httpPort: port, httpsPort: port + 1 };
}

export interface InstallOptions {
  /** The engine the CLI and the server talk to; the rig's own by default (e.g. a proxy in front of it). */
  readonly dockerHost?: string;
  /** The images file `init` takes; the rig's by default. */
  readonly imagesFile?: string;
  /** Runs between `init` and the first `up`, e.g. to give a stand-in test-only settings. */
  readonly beforeUp?: (home: string) => void;
}

export async function installAndWatch(
  docker: Docker,
  rig: RigEnv,
  project: string,
  serverOptions: Partial<ServerOptions> = {},
  install: InstallOptions = {},
): Promise<WatchedStack> {
  await removeComposeProject(docker, project);
  const dir = mkdtempSync(join(tmpdir(), `mna-${project}-`));
  const home = join(dir, 'home');
  const env = stackEnv(install.dockerHost ?? rig.dockerHost, project);
  await initStack(rig, home, env, install.imagesFile);
  install.beforeUp?.(home);
  await cliOk(['up', '--home', home], env);
  const server = createServer({
    home,
    env,
    logger: createLogger({ write: () => undefined }),
    ...serverOptions,
  });
  const { url, token } = await server.start();
  const recorder = await recordEvents(url, token);
  await recorder.waitFor(
    (e): e is Extract<ServerEvent, { type: 'stack.status-changed' }> =>
      e.type === 'stack.status-changed' && e.status === 'healthy',
    60_000,
  );
  return {
    home,
    server,
    client: createApiClient({ baseUrl: url, token }),
    recorder,
    async containerOf(service) {
      const [c] = await docker.listContainers({
        all: true,
        filters: {
          label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
        },
      });
      if (!c) throw new Error(`${service} has no container`);
      return docker.getContainer(c.Id);
    },
    async remove() {
      recorder.close();
      await server.stop();
      await removeComposeProject(docker, project);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
