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

export async function installAndWatch(
  docker: Docker,
  rig: RigEnv,
  project: string,
  serverOptions: Partial<ServerOptions> = {},
): Promise<WatchedStack> {
  await removeComposeProject(docker, project);
  const dir = mkdtempSync(join(tmpdir(), `mna-${project}-`));
  const home = join(dir, 'home');
  const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project };
  const port = 39_000 + Math.floor(Math.random() * 6_000);
  await cliOk(
    [
      'init',
      '--home',
      home,
      '--images',
      rig.imagesFile,
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ],
    env,
  );
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
