/**
 * Builds the secrets service (list, rotate) of one appliance home from infra adapters; used by
 * the CLI verb and by createServer, like wiring.ts's createStackService.
 */
import type { StackProgress } from '../contract/stack.js';
import type { ServiceExec } from '../core/service-exec.js';
import { SecretsService } from '../core/secrets/rotation-service.js';
import type { SettingsRepository } from '../core/settings/settings-repository.js';
import { pullPolicyOf, stackConfigStore } from '../core/settings/stack-settings.js';
import { initStack } from '../core/stack/init-service.js';
import { DockerodeServiceExec } from '../infra/docker/dockerode-service-exec.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { engineAccess } from './engine.js';
import { createStackService } from './stack.js';

export function createSecretsService(
  paths: HomePaths,
  env: Record<string, string | undefined>,
  settings: SettingsRepository,
  onProgress: (event: StackProgress) => void,
): SecretsService {
  const fs = new NodeFileSystem();
  const store = stackConfigStore(settings);
  const stored = () =>
    store.require(
      'The stack settings are missing from appliance.db: run `medianest-appliance init` first.',
    );
  let engine: ServiceExec | undefined;
  return new SecretsService({
    fs,
    engine: () => {
      engine ??= engineAccess(env).connect(
        (endpoint, project) => new DockerodeServiceExec(endpoint, project),
      );
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
        pullPolicy: pullPolicyOf(stored()),
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
