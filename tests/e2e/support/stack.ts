import { test as base } from '@playwright/test';
import type Docker from 'dockerode';
import { createApiClient, type ApiClient } from '../../../server/src/contract/client.js';
import { removeComposeProject } from '../../integration/support/project.js';
import { rigDocker, rigEnv } from '../../integration/support/rig.js';
import { startServe, stopServe, type ServedApp } from '../serve-fixture.js';
import { freeHttpPort } from '../../integration/support/ports.js';

export interface InstalledStack extends ServedApp {
  /** The compose project of this run's stack: `com.docker.compose.project=<project>`. */
  project: string;
  client: ApiClient;
  docker: Docker;
}

const INSTALL_TIMEOUT_MS = 200_000;

async function waitForJob(client: ApiClient, id: string): Promise<void> {
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = await client.job({ id });
    if (job.state === 'succeeded') return;
    if (job.state !== 'running') throw new Error(`install ${job.state}: ${job.error?.message}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`install did not finish in ${INSTALL_TIMEOUT_MS / 1000} s`);
}

/**
 * `serve` with a stack installed through its API from the rig's stand-in images, in the compose
 * project `project`; `env` is added to serve's (e.g. a DOCKER_HOST of the test's own). Call
 * `remove` when done.
 */
export async function installStack(
  project: string,
  env: Record<string, string> = {},
): Promise<{ stack: InstalledStack; remove: () => Promise<void> }> {
  const rig = rigEnv();
  const docker = rigDocker(rig);
  await removeComposeProject(docker, project);
  const started = await startServe({ env: { MEDIANEST_COMPOSE_PROJECT: project, ...env } });
  const remove = async (): Promise<void> => {
    await stopServe(started);
    await removeComposeProject(docker, project);
  };
  try {
    const client = createApiClient({ baseUrl: started.app.url, token: started.app.token });
    const httpPort = await freeHttpPort();
    const { jobId } = await client.install({
      settings: { images: rig.images, httpPort, httpsPort: httpPort + 1, pullPolicy: 'never' },
    });
    await waitForJob(client, jobId);
    return { stack: { ...started.app, project, client, docker }, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The stack of `installStack`, shared by the specs of one worker, removed at the end. */
export const test = base.extend<object, { stack: InstalledStack }>({
  stack: [
    async ({}, use) => {
      const { stack, remove } = await installStack(`mnae2e${process.pid}`);
      try {
        await use(stack);
      } finally {
        await remove();
      }
    },
    { scope: 'worker', timeout: INSTALL_TIMEOUT_MS + 60_000 },
  ],
});

export { INSTALL_TIMEOUT_MS };
export { expect } from '@playwright/test';
