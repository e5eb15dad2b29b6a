import { AppError } from '../app-error.js';
import type { DesiredService } from './plan.js';

/** What an image's own configuration says, as far as the stack needs it. */
export interface ImageConfig {
  /** The image's id (sha256:...). */
  id: string;
  /** Registry digests it is known by ("repo@sha256:..."); none for a local build or a load. */
  repoDigests: string[];
  /** "1001:1001", "medianest", or undefined (root). */
  user: string | undefined;
  workingDir: string | undefined;
  entrypoint: string[];
  cmd: string[];
  /** The image's PATH, to find programs in it. */
  path: string | undefined;
  /** EXPOSE'd ports, e.g. "4000/tcp". */
  exposedPorts: string[];
}

/**
 * Set on a service whose entrypoint the stack replaces (the secrets shim) but whose command must
 * stay the image's own: MediaNest's images differ (`dumb-init node dist/server.js` in /app/backend
 * from the consolidated Dockerfile, `node backend/dist/server.js` in /app from the root one, R2).
 */
export const LABEL_IMAGE_COMMAND = 'org.medianest.appliance.command-from-image';

/** The digest `reference` was pulled as ("repo@sha256:..."), when a registry gave it one. */
export function digestOf(
  reference: string,
  config: Pick<ImageConfig, 'repoDigests'>,
): string | undefined {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const repository = lastPart.includes(':')
    ? withoutDigest.slice(0, withoutDigest.length - lastPart.length + lastPart.indexOf(':'))
    : withoutDigest;
  return config.repoDigests.find((d) => d.startsWith(`${repository}@`)) ?? config.repoDigests[0];
}

/** The command the image would run by itself: its ENTRYPOINT followed by its CMD. */
export function imageCommand(config: ImageConfig): string[] {
  return [...config.entrypoint, ...config.cmd];
}

/**
 * The service as it must be created: with the label and no command of its own, the image's own
 * command after the stack's entrypoint. An image without one cannot be started this way.
 */
export function withImageCommand(service: DesiredService, config: ImageConfig): DesiredService {
  if (service.labels[LABEL_IMAGE_COMMAND] !== 'true' || service.definition.command) return service;
  const command = imageCommand(config);
  if (command.length === 0) {
    throw new AppError(
      'conflict',
      `${service.definition.image} (for ${service.name}) has no command of its own (neither ENTRYPOINT nor CMD): it is not a MediaNest image the stack can start. Nothing was started.`,
      { service: service.name, image: service.definition.image },
    );
  }
  return { ...service, definition: { ...service.definition, command } };
}
