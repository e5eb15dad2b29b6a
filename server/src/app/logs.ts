/**
 * The composition root of the log view: the engine discovery finds, the stack's compose project,
 * the secrets folder for masking. Used by the CLI's `logs` verb, the server's log routes and the
 * support bundle.
 */
import { LogService } from '../core/logs/log-service.js';
import { secretValues } from '../core/stack/stack-files.js';
import { DockerodeLogGateway } from '../infra/docker/dockerode-log-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { engineAccess, type Env } from './engine.js';

export function createLogService(
  paths: HomePaths,
  env: Env,
  options: { extraSecrets?: () => string[]; onError?: (error: unknown) => void } = {},
): LogService {
  const { gateway, project } = engineAccess(env).connect((endpoint, project) => ({
    gateway: new DockerodeLogGateway(endpoint),
    project,
  }));
  const fs = new NodeFileSystem();
  return new LogService({
    gateway,
    project,
    secrets: async () => [
      ...(await secretValues(fs, paths.secretsDir)),
      ...(options.extraSecrets?.() ?? []),
    ],
    now: () => new Date(),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
