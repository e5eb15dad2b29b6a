/**
 * A MediaNest-shaped source folder for the image tests (tests/fixtures/medianest-source, with the
 * rig's backend and frontend stand-ins copied in as its app code, so the images it builds run the
 * stand-ins), and builds from it. Everything built is tagged medianest-test/build-<run>:* and
 * labelled org.medianest.test=<suite>; `cleanup` removes only those (other suites share the engine).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { AppError } from '../../../server/src/core/app-error.js';
import type {
  BuildOptions,
  BuildResult,
  ImageProgress,
} from '../../../server/src/core/images/image-source-service.js';
import { createImageSourceService } from '../../../server/src/app/images.js';
import { removeLabelled, TEST_LABEL } from './containers.js';
import { imageOf, type RigEnv } from './rig.js';

export interface ImageSource {
  /** The test label's value on everything built. */
  readonly suite: string;
  /** The repository every tag goes to. */
  readonly repo: string;
  /** A scratch folder; the source folder is `src` inside it. */
  readonly work: string;
  readonly src: string;
  /** Files in the source folder that a build should send (before the ignored ones were added). */
  readonly contextFiles: number;
  readonly images: ReturnType<typeof createImageSourceService>;
  build(
    options: Omit<BuildOptions, 'sourceDir'>,
    onProgress?: (p: ImageProgress) => void,
  ): Promise<BuildResult>;
  /** Removes the suite's containers and images and the scratch folder. */
  cleanup(): Promise<void>;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The rig's base image: the `medianest-rig/base:*` tag the stand-ins were built on. */
async function rigBaseImage(docker: Docker, rig: RigEnv): Promise<string> {
  const backend = await docker.getImage(imageOf(rig, 'backend')).inspect();
  const bottom = backend.RootFS.Layers?.[0];
  const candidates = await docker.listImages({ filters: { reference: ['medianest-rig/base'] } });
  for (const candidate of candidates) {
    const info = await docker.getImage(candidate.Id).inspect();
    if (bottom && info.RootFS.Layers?.[0] === bottom) {
      const tag = candidate.RepoTags?.find((t) => t.startsWith('medianest-rig/base:'));
      if (tag) return tag;
    }
  }
  throw new Error(
    `no medianest-rig/base:* image under ${imageOf(rig, 'backend')}: rebuild the rig (bash tests/rig/up.sh)`,
  );
}

function countFiles(dir: string): number {
  const result = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' });
  return result.stdout.trim().split('\n').filter(Boolean).length;
}

/** Copies the fixture into a scratch folder, with what its .dockerignore must keep out. */
export async function prepareImageSource(
  docker: Docker,
  rig: RigEnv,
  name: string,
): Promise<ImageSource> {
  const run = randomBytes(4).toString('hex');
  const suite = `${name}-${run}`;
  const repo = `medianest-test/build-${run}`;
  const work = mkdtempSync(join(tmpdir(), `mna-${name}-`));
  const src = join(work, 'src');
  const images = createImageSourceService({ DOCKER_HOST: rig.dockerHost });
  const base = await rigBaseImage(docker, rig);
  cpSync(here('../../fixtures/medianest-source'), src, { recursive: true });
  // The fixture's app code becomes the rig's stand-ins: the images built then run them.
  const standins = here('../../rig/images');
  cpSync(join(standins, 'backend/server.js'), join(src, 'backend/src/server.js'));
  cpSync(join(standins, 'backend/lib'), join(src, 'backend/src/lib'), { recursive: true });
  // Its migrations replace the fixture's placeholder, where MediaNest keeps them.
  rmSync(join(src, 'backend/prisma'), { recursive: true, force: true });
  cpSync(join(standins, 'backend/prisma'), join(src, 'backend/prisma'), { recursive: true });
  cpSync(join(standins, 'frontend/server.js'), join(src, 'frontend/src/server.js'));
  cpSync(join(standins, 'frontend/index.html'), join(src, 'frontend/src/index.html'));
  const contextFiles = countFiles(src);
  // What the fixture's .dockerignore (like MediaNest's) keeps out of the context.
  mkdirSync(join(src, 'backend/node_modules/huge'), { recursive: true });
  writeFileSync(join(src, 'backend/node_modules/huge/blob.bin'), randomBytes(4 * 1024 * 1024));
  mkdirSync(join(src, '.git'));
  writeFileSync(join(src, '.git/HEAD'), 'ref: refs/heads/develop\n');
  writeFileSync(join(src, '.env.production'), 'JWT_SECRET=never-in-an-image\n');

  return {
    suite,
    repo,
    work,
    src,
    contextFiles,
    images,
    build: (options, onProgress = () => undefined) =>
      images.build(
        { sourceDir: src, buildArgs: { BASE: base }, labels: { [TEST_LABEL]: suite }, ...options },
        onProgress,
      ),
    async cleanup() {
      await removeLabelled(docker, suite);
      const ours = await docker.listImages({ filters: { label: [`${TEST_LABEL}=${suite}`] } });
      for (const image of ours) {
        for (const tag of image.RepoTags ?? []) {
          if (tag.startsWith(repo))
            await docker
              .getImage(tag)
              .remove()
              .catch(() => undefined);
        }
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The AppError a promise rejects with (anything else fails the test). */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}
