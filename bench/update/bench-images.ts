/**
 * The images bench/update installs and updates, all served by a local registry (Debian's
 * docker-registry on loopback), so that `docker-compose pull` and our preflight both really pull:
 * the rig's postgres, redis, frontend and nginx under our own names, and the backend v1 and v2
 * with the stand-in's rate limit raised.
 *
 * Why raised: the stand-in limits like MediaNest (R3), 100 requests per 15 minutes per client
 * address, and behind nginx every client is nginx; a client asking every 100 ms spends that in
 * 10 s and then sees 429s that have nothing to do with the update. `RIG_RATE_LIMIT_MAX` (read only
 * by the stand-in) goes into the image rather than the compose file, because an update renders
 * the compose file again and would drop it. Everything here carries our own tags, so no clean-up
 * of an update (it removes the images the previous one replaced) can untag the rig's shared ones.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { startRegistry, type LocalRegistry } from '../../tests/integration/support/registry.js';
import { backendVersionImages, type RigEnv } from '../../tests/integration/support/rig.js';

const REPO = 'mna-bench-update';
/** Far more than the bench asks in a run (10 a second for a few minutes, plus the seeding). */
const RATE_LIMIT_MAX = '1000000';

export interface BenchImages {
  /** --images file for `init`: every core service from the registry, the backend at v1. */
  readonly imagesFile: string;
  readonly backend: { readonly v1: string; readonly v2: string };
  /**
   * Untags the engine's copy of the v2 reference (the image stays under our build tag), so the
   * next update pulls it from the registry as a user's would.
   */
  forgetV2(): Promise<void>;
  /** Removes every tag made here and stops the registry. */
  remove(): Promise<void>;
}

/** The v1 or v2 backend with the limit raised, built on the rig's image (one ENV layer). */
function buildBackend(dockerHost: string, from: string, tag: string): void {
  const built = spawnSync(
    'docker',
    ['build', '-q', '-t', tag, '--label', 'org.medianest.bench=update', '-'],
    {
      input: `FROM ${from}\nENV RIG_RATE_LIMIT_MAX=${RATE_LIMIT_MAX}\n`,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: '0' },
    },
  );
  if (built.status !== 0) throw new Error(`docker build of ${tag} failed: ${built.stderr}`);
}

export async function prepareImages(
  docker: Docker,
  rig: RigEnv,
  dir: string,
): Promise<BenchImages> {
  const versions = backendVersionImages(rig);
  const registry: LocalRegistry = await startRegistry();
  const tags: string[] = [];
  const push = async (image: string, name: string): Promise<string> => {
    await registry.push(docker, image, name);
    const ref = `${registry.host}/${name}`;
    tags.push(ref);
    return ref;
  };
  try {
    const backend = { v1: '', v2: '' };
    for (const version of ['v1', 'v2'] as const) {
      const local = `${REPO}/backend:${version}`;
      buildBackend(rig.dockerHost, versions[version], local);
      tags.push(local);
      backend[version] = await push(local, `${REPO}/backend:${version}`);
    }
    const images: Record<string, string> = { backend: backend.v1, migrate: backend.v1 };
    for (const service of ['postgres', 'redis', 'frontend', 'nginx']) {
      const image = rig.images[service];
      if (!image) throw new Error(`MEDIANEST_IMAGES has no image for ${service}`);
      images[service] = await push(image, `${REPO}/${service}:rig`);
    }
    const imagesFile = join(dir, 'images.json');
    writeFileSync(imagesFile, JSON.stringify(images, null, 2));
    return {
      imagesFile,
      backend,
      async forgetV2() {
        await docker
          .getImage(backend.v2)
          .remove({ noprune: true })
          .catch(() => undefined);
      },
      async remove() {
        for (const tag of tags.reverse()) {
          await docker
            .getImage(tag)
            .remove()
            .catch(() => undefined);
        }
        await registry.stop();
      },
    };
  } catch (error) {
    for (const tag of tags) {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    }
    await registry.stop();
    throw error;
  }
}
