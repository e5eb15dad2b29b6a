/**
 * The updates area: the update check built from the engine (digests, local images), the
 * registries' HTTP API (tags, labels) and the settings table; used by the CLI's `updates` verb
 * and by createServer, whose scheduler runs it on the settings' interval.
 */
import type { DomainEvent } from '../contract/events.js';
import type { SettingsRepository } from '../core/settings/settings-repository.js';
import type { ImageReference } from '../core/updates/image-reference.js';
import { stackImages } from '../core/updates/stack-images.js';
import { UpdateScheduler } from '../core/updates/update-scheduler.js';
import { UpdateService } from '../core/updates/update-service.js';
import { updateStore } from '../core/updates/update-store.js';
import { DockerodeUpdateGateway } from '../infra/docker/dockerode-update-gateway.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { machineArchitecture, RegistryClient } from '../infra/net/registry-client.js';
import { GitCheckoutRemote } from '../infra/system/git-checkout-remote.js';
import { engineAccess, type Env } from './engine.js';

export function createUpdateService(
  paths: HomePaths,
  env: Env,
  settings: SettingsRepository,
  publish?: (event: DomainEvent) => void,
): UpdateService {
  // The engine is looked up when a check runs, so reading the last answers needs none.
  const engine = () =>
    engineAccess(env).connect((endpoint) => new DockerodeUpdateGateway(endpoint));
  const http = new RegistryClient({ architecture: machineArchitecture() });
  return new UpdateService({
    registry: {
      remoteDigest: (reference: ImageReference) => engine().remoteDigest(reference),
      tags: (reference) => http.tags(reference),
      labels: (reference, tag) => http.labels(reference, tag),
    },
    local: {
      repoDigests: (image) => engine().repoDigests(image),
      buildCheckout: (image) => engine().buildCheckout(image),
    },
    checkouts: new GitCheckoutRemote(),
    images: () =>
      stackImages(new NodeFileSystem(), {
        stackDir: paths.stackDir,
        composeFile: paths.composeFile,
        secretsDir: paths.secretsDir,
      }),
    store: updateStore(settings),
    now: () => new Date(),
    ...(publish ? { publish } : {}),
  });
}

export interface UpdatesArea {
  service: UpdateService;
  scheduler: UpdateScheduler;
}

/** The service and its scheduler, for createServer. */
export function createUpdatesArea(deps: {
  paths: HomePaths;
  env: Env;
  settings: SettingsRepository;
  publish: (event: DomainEvent) => void;
  jobRunning: () => boolean;
  onError: (message: string, error: unknown) => void;
}): UpdatesArea {
  const service = createUpdateService(deps.paths, deps.env, deps.settings, deps.publish);
  const store = updateStore(deps.settings);
  const scheduler = new UpdateScheduler({
    settings: () => store.settings(),
    lastCheckAt: () => service.lastCheckAt(),
    check: () => service.check(),
    jobRunning: deps.jobRunning,
    now: () => new Date(),
    onError: deps.onError,
  });
  return { service, scheduler };
}
