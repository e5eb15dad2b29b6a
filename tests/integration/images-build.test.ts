/**
 * Local image builds against the rig's real engine: a build of the MediaNest-shaped fixture (see
 * support/image-source.ts) whose images run, and failed builds with the builder's own words.
 * Archives (offline install) are in images-archive.test.ts.
 */
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutRefusalSchema } from '../../server/src/contract/images-routes.js';
import {
  LABEL_IMAGE_SERVICE,
  LABEL_IMAGE_SOURCE,
  LABEL_IMAGE_TARGET,
  LABEL_SOURCE_HASH,
} from '../../server/src/core/images/build-images.js';
import type {
  BuildResult,
  ImageProgress,
} from '../../server/src/core/images/image-source-service.js';
import { publishedPort, runContainer, TEST_LABEL, waitUntil } from './support/containers.js';
import { request } from './support/http.js';
import { failure, prepareImageSource, type ImageSource } from './support/image-source.js';
import {
  removeStackDir,
  runMigrate,
  startBackend,
  startMiniStack,
  type MiniStack,
} from './support/mini-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
let source: ImageSource;
let SUITE = '';
let REPO = '';
let src = '';
let built: BuildResult;
const progress: ImageProgress[] = [];
let stack: MiniStack | undefined;

const build: ImageSource['build'] = (options, onProgress) => source.build(options, onProgress);

beforeAll(async () => {
  source = await prepareImageSource(docker, rig, 'images');
  ({ suite: SUITE, repo: REPO, src } = source);
  built = await build(
    { images: { backend: `${REPO}:backend`, frontend: `${REPO}:frontend` } },
    (p) => progress.push(p),
  );
});

afterAll(async () => {
  await source?.cleanup();
  if (stack) removeStackDir(stack);
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
    expect(built.files).toBe(source.contextFiles);
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
      // A container would hold this image's tag when the clean-up removes it.
      await frontend.remove({ force: true });
    }
  });

  it('builds a backend image that migrates and serves with PostgreSQL and Redis', async () => {
    stack = await startMiniStack(docker, rig, SUITE);
    const backendRef = `${REPO}:backend`;
    // The stack's migrate job, with the migrations read from the built image.
    const migrate = await runMigrate(docker, rig, stack, { image: backendRef });
    expect(migrate.exitCode, migrate.log).toBe(0);
    expect(migrate.log).toContain('schema at 20250905150611_add_password_hash_to_users');
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

describe('a checkout with the known defects of MediaNest (R5)', () => {
  it('is refused before anything is built, each defect named with its file and line', async () => {
    const dir = join(source.work, 'defective');
    cpSync(src, dir, { recursive: true });
    // As MediaNest ships it: the lockfile ignored, npm ci in a workspace, only the workspace's
    // node_modules copied, a tsconfig extending a file never copied and emitting ES modules
    // in a package without "type": "module", no frontend/public.
    appendFileSync(join(dir, '.dockerignore'), 'package-lock.json\n');
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.base.json'), '{ "compilerOptions": { "strict": true } }');
    writeFileSync(
      join(dir, 'backend/tsconfig.json'),
      '{\n  "extends": "../tsconfig.base.json",\n  // as on develop\n  "compilerOptions": { "module": "ES2022", },\n}\n',
    );
    rmSync(join(dir, 'frontend/public'), { recursive: true });
    const dockerfile = join(dir, 'config/docker/Dockerfile.consolidated');
    const text = readFileSync(dockerfile, 'utf8')
      .replace(
        'RUN --mount=type=cache,target=/root/.npm mkdir -p backend/node_modules shared/node_modules',
        'RUN --mount=type=cache,target=/root/.npm npm ci --workspace=backend --omit=dev',
      )
      .replace(
        'COPY backend/package.json ./backend/\nCOPY backend/src/',
        'COPY backend/package.json backend/tsconfig.json ./backend/\nCOPY backend/src/',
      )
      .replace(
        'COPY --from=backend-build --chown=1001:1001 /app/backend/dist ./dist',
        'COPY --from=backend-deps /app/backend/node_modules ./node_modules\nCOPY --from=backend-build --chown=1001:1001 /app/backend/dist ./dist',
      );
    writeFileSync(dockerfile, text);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    const error = await failure(
      source.images.build(
        {
          sourceDir: dir,
          images: { backend: `${REPO}:defective-b`, frontend: `${REPO}:defective-f` },
        },
        () => undefined,
      ),
    );
    expect(error.code).toBe('validation_failed');
    const { findings } = CheckoutRefusalSchema.parse(error.details);
    const ignoreLines = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n');
    expect(findings.map((f) => [f.code, f.file, f.line])).toEqual([
      ['lockfile-ignored', '.dockerignore', ignoreLines.indexOf('package-lock.json') + 1],
      [
        'workspace-deps-not-copied',
        'config/docker/Dockerfile.consolidated',
        lineOf('COPY --from=backend-deps /app/backend/node_modules ./node_modules'),
      ],
      ['tsconfig-extends-not-copied', 'backend/tsconfig.json', 2],
      ['esm-without-type-module', 'backend/tsconfig.json', 4],
      [
        'frontend-public-missing',
        'config/docker/Dockerfile.consolidated',
        lineOf('/app/frontend/public'),
      ],
    ]);
    for (const f of findings) expect(error.message).toContain(f.file);
    const tagged = await docker.listImages({
      filters: { reference: [`${REPO}:defective-b`, `${REPO}:defective-f`] },
    });
    expect(tagged).toEqual([]);
  });
});
