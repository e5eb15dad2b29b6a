/**
 * The test rig's environment: which engine to talk to and which stand-in image serves each MediaNest
 * service. `tests/rig/up.sh` prints both as its last two lines (DOCKER_HOST=..., IMAGES=...);
 * integration tests read them from DOCKER_HOST and MEDIANEST_IMAGES. A missing or broken value fails
 * the test with a message saying how to fix it: these tests never skip.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The backend versions the rig builds for update tests (tests/rig/README.md "Backend versions"). */
export const BACKEND_VERSIONS = ['v1', 'v2', 'v2-broken', 'v2-badmigration'] as const;
export type BackendVersion = (typeof BACKEND_VERSIONS)[number];

/**
 * Backend version -> image reference, from `images-versions.json`, which `tests/rig/build-images.sh`
 * writes beside the images file (MEDIANEST_IMAGES_VERSIONS names another file). v1 is the same image
 * as the images file's `backend`. Throws a descriptive Error when the file or a version is missing.
 */
export function backendVersionImages(
  env: RigEnv,
  processEnv: NodeJS.ProcessEnv = process.env,
): Readonly<Record<BackendVersion, string>> {
  const file =
    processEnv['MEDIANEST_IMAGES_VERSIONS'] ??
    join(dirname(env.imagesFile), 'images-versions.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(
      `${file} is not a readable JSON file (${String(e)}); \`bash tests/rig/up.sh\` writes it`,
    );
  }
  const given = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  const images = {} as Record<BackendVersion, string>;
  for (const version of BACKEND_VERSIONS) {
    const ref = given[version];
    if (typeof ref !== 'string' || ref.length === 0)
      throw new Error(`${file} has no image for backend version "${version}"`);
    images[version] = ref;
  }
  return images;
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
