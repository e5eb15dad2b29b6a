/**
 * Image sources against the rig's real engine: a local build of the MediaNest-shaped fixture
 * (tests/fixtures/medianest-source, with the rig's backend and frontend stand-ins copied in as its
 * app code, so the images it builds run the stand-ins), a failed build with the builder's own
 * words, an archive saved with the engine's get API and loaded back, and files that are not image
 * archives. Everything is tagged medianest-test/build-<run>:* and labelled org.medianest.test=<run>;
 * only those are removed afterwards (other suites share the engine).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesCommand } from '../../server/src/cli/images-command.js';
import type { CliIo } from '../../server/src/cli/io.js';
import { AppError } from '../../server/src/core/app-error.js';
import {
  LABEL_IMAGE_SERVICE,
  LABEL_IMAGE_SOURCE,
  LABEL_IMAGE_TARGET,
  LABEL_SOURCE_HASH,
} from '../../server/src/core/images/build-images.js';
import type {
  BuildOptions,
  BuildResult,
  ImageProgress,
} from '../../server/src/core/images/image-source-service.js';
import { createImageSourceService } from '../../server/src/app/images.js';
import {
  logsOf,
  publishedPort,
  removeLabelled,
  runContainer,
  TEST_LABEL,
  waitForExit,
  waitUntil,
} from './support/containers.js';
import { request } from './support/http.js';
import {
  removeStackDir,
  startBackend,
  startMiniStack,
  type MiniStack,
} from './support/mini-stack.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const run = randomBytes(4).toString('hex');
const SUITE = `images-${run}`;
const REPO = `medianest-test/build-${run}`;
const work = mkdtempSync(join(tmpdir(), 'mna-images-'));
const src = join(work, 'src');
const images = createImageSourceService({ DOCKER_HOST: rig.dockerHost });
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

let base = '';
let built: BuildResult;
let contextFiles = 0;
const progress: ImageProgress[] = [];
let stack: MiniStack | undefined;

/** The rig's base image: the `medianest-rig/base:*` tag the stand-ins were built on. */
async function rigBaseImage(): Promise<string> {
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

async function removeOurImages(): Promise<void> {
  const ours = await docker.listImages({ filters: { label: [`${TEST_LABEL}=${SUITE}`] } });
  for (const image of ours) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(REPO))
        await docker
          .getImage(tag)
          .remove()
          .catch(() => undefined);
    }
  }
}

const build = (options: Omit<BuildOptions, 'sourceDir'>, onProgress = (_: ImageProgress) => {}) =>
  images.build(
    { sourceDir: src, buildArgs: { BASE: base }, labels: { [TEST_LABEL]: SUITE }, ...options },
    onProgress,
  );

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  base = await rigBaseImage();
  cpSync(here('../fixtures/medianest-source'), src, { recursive: true });
  // The fixture's app code becomes the rig's stand-ins: the images built then run them.
  const standins = here('../rig/images');
  cpSync(join(standins, 'backend/server.js'), join(src, 'backend/src/server.js'));
  cpSync(join(standins, 'backend/lib'), join(src, 'backend/src/lib'), { recursive: true });
  cpSync(join(standins, 'frontend/server.js'), join(src, 'frontend/src/server.js'));
  cpSync(join(standins, 'frontend/index.html'), join(src, 'frontend/src/index.html'));
  contextFiles = countFiles(src);
  // What the fixture's .dockerignore (like MediaNest's) keeps out of the context.
  mkdirSync(join(src, 'backend/node_modules/huge'), { recursive: true });
  writeFileSync(join(src, 'backend/node_modules/huge/blob.bin'), randomBytes(4 * 1024 * 1024));
  mkdirSync(join(src, '.git'));
  writeFileSync(join(src, '.git/HEAD'), 'ref: refs/heads/develop\n');
  writeFileSync(join(src, '.env.production'), 'JWT_SECRET=never-in-an-image\n');

  built = await build(
    { images: { backend: `${REPO}:backend`, frontend: `${REPO}:frontend` } },
    (p) => progress.push(p),
  );
});

afterAll(async () => {
  await removeLabelled(docker, SUITE);
  if (stack) removeStackDir(stack);
  await removeOurImages();
  rmSync(work, { recursive: true, force: true });
});

describe('a local build from a MediaNest source folder', () => {
  it('tags and labels backend-production and frontend-production images', async () => {
    expect(built.builder).toBe('buildkit');
    expect(built.dockerfile).toBe('config/docker/Dockerfile.consolidated');
    expect(built.images).toEqual({ backend: `${REPO}:backend`, frontend: `${REPO}:frontend` });
    for (const { service, target, imageId } of built.built) {
      const info = await docker.getImage(`${REPO}:${service}`).inspect();
      expect(info.Id).toBe(imageId);
      expect(info.Config.Labels).toMatchObject({
        [LABEL_IMAGE_SOURCE]: 'build',
        [LABEL_IMAGE_SERVICE]: service,
        [LABEL_IMAGE_TARGET]: target,
        [LABEL_SOURCE_HASH]: built.sourceHash,
        [TEST_LABEL]: SUITE,
      });
    }
  });

  it('sent only what the .dockerignore keeps (no node_modules, .git or .env files)', () => {
    expect(built.files).toBe(contextFiles);
    expect(built.bytes).toBeLessThan(1024 * 1024);
  });

  it('reported the context upload, every builder step with its count, and reached 100 %', () => {
    const steps = progress.filter((p) => p.kind === 'step');
    expect(steps.filter((s) => s.service === 'backend').length).toBeGreaterThan(5);
    for (const s of steps) {
      expect(s.step).toMatch(/^(backend \(1\/2\)|frontend \(2\/2\)): step \d+\/\d+ /);
      expect(s.current).toBeLessThanOrEqual(s.total);
    }
    expect(steps.map((s) => s.step)).toContainEqual(
      expect.stringMatching(
        /^backend \(1\/2\): step \d+\/\d+ \[backend-production \d\/\d\] COPY --from=backend-build/,
      ),
    );
    expect(progress.some((p) => p.kind === 'context' && p.bytes.done === p.bytes.total)).toBe(true);
    const percents = progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({
      percent: 100,
      step: `Built backend=${REPO}:backend frontend=${REPO}:frontend`,
    });
  });

  it('builds a frontend image that serves the stand-in frontend', async () => {
    const frontend = await runContainer(docker, {
      suite: SUITE,
      name: `${SUITE}-frontend`,
      image: `${REPO}:frontend`,
      publish: [3000],
      capDrop: ['ALL'],
    });
    try {
      const url = `http://127.0.0.1:${await publishedPort(frontend, 3000)}`;
      const health = await waitUntil(
        'the built frontend to answer',
        async () => {
          const res = await request(`${url}/api/health`, { timeoutMs: 2000 });
          return res.status === 200 ? res : undefined;
        },
        30_000,
      );
      expect(health.json<{ status: string }>().status).toBe('ok');
      expect((await request(`${url}/`)).body.toString()).toContain('<title>MediaNest');
    } finally {
      // The archive tests below remove this image's tag, which a container would hold.
      await frontend.remove({ force: true });
    }
  });

  it('builds a backend image that migrates and serves with PostgreSQL and Redis', async () => {
    stack = await startMiniStack(docker, rig, SUITE);
    const backendRef = `${REPO}:backend`;
    // What the stack's migrate service runs in the backend image.
    const migrate = await runContainer(docker, {
      suite: SUITE,
      name: `${stack.network}-migrate`,
      image: backendRef,
      network: stack.network,
      env: { DATABASE_URL: stack.databaseUrl, HOME: '/tmp' },
      cmd: ['npx', '--no-install', 'prisma', 'migrate', 'deploy'],
      capDrop: ['ALL'],
    });
    expect(await waitForExit(migrate, 60_000), await logsOf(migrate)).toBe(0);
    const backend = await startBackend(
      docker,
      { ...rig, images: { ...rig.images, backend: backendRef } },
      stack,
    );
    const health = await request(`${backend.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect((await backend.container.inspect()).Config.Image).toBe(backendRef);
  });
});

describe('a build that fails', () => {
  const broken = [
    'ARG BASE',
    'FROM ${BASE} AS backend-production',
    `RUN echo "compiling backend" && echo "error TS2304: Cannot find name 'prisma'" >&2 && exit 3`,
  ].join('\n');

  it.each([
    [
      'buildkit',
      /^backend: building backend-production failed at step 2\/2 \(\[2\/2\] RUN echo .*\): executor failed running \[\/bin\/sh -c echo .*\]: exit code: 3$/,
    ],
    [
      'classic',
      /^backend: building backend-production failed at step 3\/\d+ \(RUN echo .*\): The command '\/bin\/sh -c echo .*' returned a non-zero code: 3$/,
    ],
  ] as const)(
    "fails with the %s builder's own message and output, and tags nothing",
    async (builder, message) => {
      writeFileSync(join(src, 'Dockerfile.broken'), broken);
      const error = await failure(
        build({
          builder,
          dockerfile: 'Dockerfile.broken',
          services: ['backend'],
          images: { backend: `${REPO}:broken-${builder}` },
        }),
      );
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(message);
      expect(error.details?.output).toContainEqual("error TS2304: Cannot find name 'prisma'");
      await expect(docker.getImage(`${REPO}:broken-${builder}`).inspect()).rejects.toMatchObject({
        statusCode: 404,
      });
    },
  );

  it('passes on the engine refusing a Dockerfile it cannot parse', async () => {
    writeFileSync(
      join(src, 'Dockerfile.unparsable'),
      'ARG BASE\nFROM ${BASE} AS backend-production\nCOMPILE everything\n',
    );
    const error = await failure(
      build({ builder: 'classic', dockerfile: 'Dockerfile.unparsable', services: ['backend'] }),
    );
    expect(error.message).toMatch(
      /^backend: building backend-production failed: .*unknown instruction: COMPILE/i,
    );
  });

  it('builds with the classic builder where BuildKit is not needed, counting its steps', async () => {
    writeFileSync(
      join(src, 'Dockerfile.classic'),
      'ARG BASE\nFROM ${BASE} AS backend-production\nCOPY backend/src/server.js /app/backend/server.js\n',
    );
    const events: ImageProgress[] = [];
    const result = await build(
      {
        builder: 'classic',
        dockerfile: 'Dockerfile.classic',
        services: ['backend'],
        images: { backend: `${REPO}:classic` },
      },
      (p) => events.push(p),
    );
    expect(result.images).toEqual({ backend: `${REPO}:classic` });
    // The classic builder adds each label as a step of its own (five labels here).
    expect(events.filter((p) => p.kind === 'step').map((p) => p.step)).toEqual([
      'backend (1/1): step 1/8 ARG BASE',
      'backend (1/1): step 2/8 FROM ${BASE} AS backend-production',
      'backend (1/1): step 3/8 COPY backend/src/server.js /app/backend/server.js',
      // ... in the order of their names.
      ...[
        LABEL_IMAGE_TARGET,
        LABEL_IMAGE_SOURCE,
        LABEL_IMAGE_SERVICE,
        LABEL_SOURCE_HASH,
        TEST_LABEL,
      ]
        .sort()
        .map(
          (label, i) =>
            expect.stringMatching(
              new RegExp(`^backend \\(1/1\\): step ${i + 4}/8 LABEL ${label}=`),
            ) as string,
        ),
    ]);
    const info = await docker.getImage(`${REPO}:classic`).inspect();
    expect(info.Config.Labels).toMatchObject({
      [LABEL_IMAGE_TARGET]: 'backend-production',
      [TEST_LABEL]: SUITE,
    });
  });
});

describe('an image archive (offline install)', () => {
  async function save(ref: string, file: string, gzip: boolean): Promise<string> {
    const path = join(work, file);
    const stream = await docker.getImage(ref).get();
    if (gzip) await pipeline(stream, createGzip(), createWriteStream(path));
    else await pipeline(stream, createWriteStream(path));
    return path;
  }

  it('loads a .tar the engine saved, bringing the removed tag back, with byte progress', async () => {
    const ref = `${REPO}:frontend`;
    const before = await docker.getImage(ref).inspect();
    const archive = await save(ref, 'frontend.tar', false);
    await docker.getImage(ref).remove();
    await expect(docker.getImage(ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const events: ImageProgress[] = [];
    const result = await images.load(archive, (p) => events.push(p));
    expect(result.references).toEqual([ref]);
    const after = await docker.getImage(ref).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.Config.Labels?.[LABEL_IMAGE_SERVICE]).toBe('frontend');
    // A real image carries the base's layers: hundreds of MB, reported as they go.
    const bytes = events.filter((p) => p.kind === 'archive');
    expect(bytes.at(-1)?.bytes.done).toBe(result.bytes);
    expect(bytes.length).toBeGreaterThan(10);
    expect(events.at(-1)).toMatchObject({ percent: 100, step: `Loaded ${ref}` });
  });

  it('loads a .tar.gz through the CLI verb: one JSON document naming the service it serves', async () => {
    // A small image (FROM scratch) keeps the compression quick.
    writeFileSync(
      join(src, 'Dockerfile.scratch'),
      'FROM scratch AS frontend-production\nCOPY frontend/src/index.html /index.html\n',
    );
    const ref = `${REPO}/frontend:offline`;
    await build({
      dockerfile: 'Dockerfile.scratch',
      services: ['frontend'],
      images: { frontend: ref },
    });
    const archive = await save(ref, 'frontend.tar.gz', true);
    await docker.getImage(ref).remove();
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { DOCKER_HOST: rig.dockerHost },
      untilShutdown: () => Promise.resolve(),
    };
    const code = await imagesCommand(
      { verb: 'images', positionals: ['load', archive], values: { json: true } },
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      archive,
      references: [ref],
      images: { frontend: ref },
    });
    expect((await docker.getImage(ref).inspect()).RepoTags).toContain(ref);
  });

  it('refuses a file that is not an image archive, saying what it is', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'not an image\n');
    const textError = await failure(images.load(text, () => undefined));
    expect(textError.code).toBe('validation_failed');
    expect(textError.message).toBe(
      `archive: ${text} is not a tar file: not an image archive (make one with \`docker save IMAGE... -o FILE.tar\`)`,
    );

    const sourceTar = join(work, 'source.tar');
    expect(spawnSync('tar', ['-cf', sourceTar, '-C', src, 'config']).status).toBe(0);
    const tarError = await failure(images.load(sourceTar, () => undefined));
    expect(tarError.message).toBe(
      `archive: ${sourceTar} is a tar file without manifest.json: not an image archive (make one with \`docker save IMAGE... -o FILE.tar\`)`,
    );
  });
});
