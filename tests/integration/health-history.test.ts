/**
 * The health history through the real server on the rig: a service's container killed with SIGKILL
 * becomes an `exited` entry with exit code 137 in appliance.db, read back through the typed client.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../server/src/contract/client.js';
import { loadPlan } from '../../server/src/core/stack/stack-files.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { DockerodeStackGateway } from '../../server/src/infra/docker/dockerode-stack-gateway.js';
import { NodeFileSystem } from '../../server/src/infra/fs/node-file-system.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { waitUntil } from './support/containers.js';
import { removeComposeProject } from './support/project.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const PROJECT = `mnhh${Date.now().toString(36)}`;
const home = mkdtempSync(join(tmpdir(), 'mna-hh-'));
let server: AppServer | undefined;

afterAll(async () => {
  await server?.stop();
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('health history on a real engine', () => {
  it('records a killed container as exited with exit code 137, newest first', async () => {
    // A one-service stack written where the server looks for it (JSON is YAML).
    const stackDir = join(home, 'stack');
    mkdirSync(stackDir, { recursive: true });
    const composeFile = join(stackDir, 'compose.yaml');
    writeFileSync(
      composeFile,
      JSON.stringify({
        services: {
          steady: {
            image: imageOf(rig, 'backend'),
            entrypoint: ['node', '-e', 'setInterval(() => {}, 1000)'],
            networks: { back: {} },
          },
        },
        networks: { back: {} },
      }),
    );
    const plan = await loadPlan(new NodeFileSystem(), {
      stackDir,
      composeFile,
      secretsDir: join(home, 'secrets'),
      project: PROJECT,
    });
    const gateway = new DockerodeStackGateway(rig.dockerHost);
    await gateway.createNetwork(plan.networks[0]!);
    const id = await gateway.createContainer(plan.services[0]!);
    await gateway.startContainer(id);

    server = createServer({
      home,
      env: { ...process.env, MEDIANEST_COMPOSE_PROJECT: PROJECT },
      logger: createLogger({ write: () => undefined }),
    });
    const { url, token } = await server.start();
    const client = createApiClient({ baseUrl: url, token });
    await waitUntil('steady recorded as running', async () => {
      const page = await client.healthHistory({ service: 'steady' });
      return page.entries[0]?.state === 'running' ? page : undefined;
    });

    await docker.getContainer(id).kill();
    const page = await waitUntil('steady recorded as exited', async () => {
      const p = await client.healthHistory({ service: 'steady' });
      return p.entries[0]?.state === 'exited' ? p : undefined;
    });
    expect(page.entries[0]).toMatchObject({ previous: 'running', exitCode: 137 });
    expect(page.entries.map((e) => e.state)).toEqual(['exited', 'running']);
    await expect(client.healthHistory({ service: 'Not A Service' })).rejects.toThrow(/service/);
  });
});
