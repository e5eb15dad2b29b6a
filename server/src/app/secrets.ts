/**
 * Builds the secrets service (list, rotate) of one appliance home from infra adapters; used by
 * the CLI verb and by createServer, like wiring.ts's createStackService.
 */
import type { StackProgress } from '../contract/stack.js';
import { AppError } from '../core/app-error.js';
import type { ServiceExec } from '../core/secrets/rotation-ports.js';
import { SecretsService } from '../core/secrets/rotation-service.js';
import { STACK_CONFIG_KEY, type SettingsRepository } from '../core/settings/settings-repository.js';
import { PROJECT_NAME } from '../core/stack/compose-model.js';
import { initStack } from '../core/stack/init-service.js';
import type { PullPolicy } from '../core/stack/reconciler.js';
import { DockerodeServiceExec } from '../infra/docker/dockerode-service-exec.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { createStackService, engineEndpoint } from './stack.js';

/** Checked as createStackService checks them, so both talk to the same project on the same engine. */
function serviceExec(env: Record<string, string | undefined>): ServiceExec {
  const project = env.MEDIANEST_COMPOSE_PROJECT ?? PROJECT_NAME;
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(project)) {
    throw new AppError(
      'validation_failed',
      'MEDIANEST_COMPOSE_PROJECT: lowercase letters, digits, - and _ only',
    );
  }
  const endpoint = engineEndpoint(env);
  try {
    return new DockerodeServiceExec(endpoint, project);
  } catch (error) {
    throw new AppError(
      'engine_unavailable',
      `The Docker engine address is not usable: ${(error as Error).message}`,
    );
  }
}

export function createSecretsService(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  settings: SettingsRepository,
  onProgress: (event: StackProgress) => void,
): SecretsService {
  const fs = new NodeFileSystem();
  const stored = (): Record<string, unknown> => {
    const config = settings.get(STACK_CONFIG_KEY);
    if (typeof config !== 'object' || config === null) {
      throw new AppError(
        'conflict',
        'The stack settings are missing from appliance.db: run `medianest-appliance init` first.',
      );
    }
    return config as Record<string, unknown>;
  };
  let engine: ServiceExec | undefined;
  return new SecretsService({
    fs,
    engine: () => {
      engine ??= serviceExec(env);
      return engine;
    },
    location: {
      stackDir: paths.stackDir,
      secretsDir: paths.secretsDir,
      composeFile: paths.composeFile,
    },
    render: async () => {
      await initStack(
        { fs, now: () => new Date() },
        { stackDir: paths.stackDir, secretsDir: paths.secretsDir, config: stored() },
      );
    },
    up: () =>
      createStackService(paths, env, onProgress).up({
        pullPolicy: (stored().pullPolicy as PullPolicy | undefined) ?? 'missing',
      }),
    now: () => new Date(),
  });
}

/**
 * For the CLI's `up`: ends a JWT grace period that is over (re-rendering), so the `up` that follows
 * recreates the backend without the previous jwt_secret. Returns whether it did.
 */
export async function dropExpiredJwtGrace(
  paths: HomePaths,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  const db = openDatabase(paths.db);
  try {
    const settings = new SqliteSettings(db);
    return await createSecretsService(paths, env, settings, () => undefined).dropExpiredGrace();
  } finally {
    db.close();
  }
}
