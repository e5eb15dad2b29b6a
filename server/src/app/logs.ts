/**
 * The composition root of the log view: the engine discovery finds, the stack's compose project,
 * the secrets folder for masking. Used by the CLI's `logs` verb, the server's log routes and the
 * support bundle.
 */
import { AppError } from '../core/app-error.js';
import { LogService } from '../core/logs/log-service.js';
import { PROJECT_NAME } from '../core/stack/compose-model.js';
import { secretValues } from '../core/stack/stack-files.js';
import { DockerodeLogGateway } from '../infra/docker/dockerode-log-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { engineEndpoint } from './stack.js';

export function composeProject(env: Record<string, string | undefined>): string {
  const project = env.MEDIANEST_COMPOSE_PROJECT;
  if (project === undefined) return PROJECT_NAME;
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(project)) {
    throw new AppError(
      'validation_failed',
      'MEDIANEST_COMPOSE_PROJECT: lowercase letters, digits, - and _ only',
    );
  }
  return project;
}

export function createLogService(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  options: { extraSecrets?: () => string[]; onError?: (error: unknown) => void } = {},
): LogService {
  let gateway: DockerodeLogGateway;
  try {
    gateway = new DockerodeLogGateway(engineEndpoint(env));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'engine_unavailable',
      `The Docker engine address is not usable: ${(error as Error).message}`,
    );
  }
  const fs = new NodeFileSystem();
  return new LogService({
    gateway,
    project: composeProject(env),
    secrets: async () => [
      ...(await secretValues(fs, paths.secretsDir)),
      ...(options.extraSecrets?.() ?? []),
    ],
    now: () => new Date(),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
