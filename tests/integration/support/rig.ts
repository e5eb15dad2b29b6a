/**
 * The test rig's environment: which engine to talk to and which stand-in image serves each MediaNest
 * service. `tests/rig/up.sh` prints both as its last two lines (DOCKER_HOST=..., IMAGES=...);
 * integration tests read them from DOCKER_HOST and MEDIANEST_IMAGES. A missing or broken value fails
 * the test with a message saying how to fix it: these tests never skip.
 */
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';

/** Services every images file must map (the profile services are optional). */
export const CORE_SERVICES = [
  'postgres',
  'redis',
  'migrate',
  'backend',
  'frontend',
  'nginx',
] as const;
export type CoreService = (typeof CORE_SERVICES)[number];

export interface RigEnv {
  /** As given, e.g. unix:///var/tmp/medianest-rig/docker.sock */
  readonly dockerHost: string;
  readonly imagesFile: string;
  /** Service name -> image reference. */
  readonly images: Readonly<Record<string, string>>;
}

const HOW_TO =
  'Start the rig with `bash tests/rig/up.sh` and export its last two lines as ' +
  'DOCKER_HOST=... and MEDIANEST_IMAGES=<the IMAGES path>.';

/** Reads and validates DOCKER_HOST and MEDIANEST_IMAGES; throws a descriptive Error otherwise. */
export function rigEnv(env: NodeJS.ProcessEnv = process.env): RigEnv {
  const dockerHost = env['DOCKER_HOST'];
  const imagesFile = env['MEDIANEST_IMAGES'];
  if (!dockerHost) throw new Error(`DOCKER_HOST is not set. ${HOW_TO}`);
  if (!imagesFile) throw new Error(`MEDIANEST_IMAGES is not set. ${HOW_TO}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(imagesFile, 'utf8'));
  } catch (e) {
    throw new Error(
      `MEDIANEST_IMAGES=${imagesFile} is not a readable JSON file (${String(e)}). ${HOW_TO}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`MEDIANEST_IMAGES=${imagesFile} must hold a JSON object of service -> image`);
  }
  const images: Record<string, string> = {};
  for (const [service, ref] of Object.entries(parsed)) {
    if (typeof ref !== 'string' || ref.length === 0) {
      throw new Error(`MEDIANEST_IMAGES: the image of "${service}" must be a non-empty string`);
    }
    images[service] = ref;
  }
  const missing = CORE_SERVICES.filter((s) => !(s in images));
  if (missing.length > 0)
    throw new Error(`MEDIANEST_IMAGES lacks images for: ${missing.join(', ')}`);
  return { dockerHost, imagesFile, images };
}

/** The image reference of a service; throws when the images file has none. */
export function imageOf(env: RigEnv, service: string): string {
  const ref = env.images[service];
  if (!ref) throw new Error(`MEDIANEST_IMAGES has no image for "${service}"`);
  return ref;
}

/** A dockerode client for the rig's engine (unix:// or tcp:// DOCKER_HOST). */
export function rigDocker(env: RigEnv): Docker {
  const url = new URL(env.dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  }
  throw new Error(`DOCKER_HOST=${env.dockerHost}: only unix:// and tcp:// engines are supported`);
}
