import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../app-error.js';
import {
  LABEL_BRANCH,
  LABEL_CHECKOUT,
  LABEL_IMAGE_SERVICE,
  LABEL_IMAGE_TARGET,
  LABEL_REVISION,
  LABEL_SOURCE_HASH,
} from './build-images.js';
import { FakeImageGateway, MemoryTree } from './fakes.test-support.js';
import type { ImageProgress } from './image-progress.js';
import { ImageSourceService } from './image-source-service.js';
import { tarOfFiles } from '../tar/tar.test-support.js';

const SRC = '/src/medianest';
const DOCKERFILE = [
  'ARG BASE=node:20-alpine',
  'FROM ${BASE} AS base',
  'FROM base AS backend-production',
  'FROM base AS frontend-production',
].join('\n');

function source(): MemoryTree {
  return new MemoryTree()
    .file(`${SRC}/config/docker/Dockerfile.consolidated`, DOCKERFILE)
    .file(`${SRC}/backend/src/server.ts`, 'export {};\n')
    .file(`${SRC}/frontend/package.json`, '{}')
    .file(`${SRC}/config/docker/shims/npm`, '#!/bin/sh\n', 0o755)
    .file(`${SRC}/backend/node_modules/big/index.js`, 'x'.repeat(5000))
    .file(`${SRC}/.git/HEAD`, 'ref: refs/heads/develop\n');
}

function setup(tree = source(), maxContextBytes?: number) {
  const gateway = new FakeImageGateway();
  const service = new ImageSourceService({
    gateway,
    tree,
    ...(maxContextBytes ? { maxContextBytes } : {}),
  });
  const events: ImageProgress[] = [];
  return { gateway, service, tree, events, listen: (p: ImageProgress) => void events.push(p) };
}

/** Names in a context tar, as the system's tar lists them. */
function tarNames(tar: Buffer): string[] {
  const result = spawnSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n');
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('ImageSourceService.build', () => {
  it('builds backend and frontend from the consolidated Dockerfile, one target each, tagged by source hash', async () => {
    const { gateway, service, listen } = setup();
    const result = await service.build({ sourceDir: SRC }, listen);
    expect(gateway.builds.map((b) => [b.target, b.dockerfile, b.builder])).toEqual([
      ['backend-production', 'config/docker/Dockerfile.consolidated', 'buildkit'],
      ['frontend-production', 'config/docker/Dockerfile.consolidated', 'buildkit'],
    ]);
    const hash = /^medianest\/backend:local-([0-9a-f]{12})$/.exec(result.images.backend ?? '')?.[1];
    expect(hash).toBeDefined();
    expect(result.images).toEqual({
      backend: `medianest/backend:local-${hash}`,
      frontend: `medianest/frontend:local-${hash}`,
    });
    expect(gateway.builds.map((b) => b.reference)).toEqual(Object.values(result.images));
    expect(gateway.builds[1]?.labels).toMatchObject({
      [LABEL_IMAGE_SERVICE]: 'frontend',
      [LABEL_IMAGE_TARGET]: 'frontend-production',
      [LABEL_SOURCE_HASH]: result.sourceHash,
    });
  });

  it('labels the images of a git checkout with its folder, branch and commit, and says so', async () => {
    const commit = 'c0ffee'.repeat(6) + 'c0ff';
    const tree = source().file(`${SRC}/.git/refs/heads/develop`, `${commit}\n`);
    const { gateway, service, events, listen } = setup(tree);
    await service.build({ sourceDir: SRC, services: ['backend'] }, listen);
    expect(gateway.builds[0]?.labels).toMatchObject({
      [LABEL_CHECKOUT]: SRC,
      [LABEL_BRANCH]: 'develop',
      [LABEL_REVISION]: commit,
    });
    expect(events.map((e) => e.step)).toContain(
      `Checkout at branch develop, commit ${commit.slice(0, 12)}`,
    );
    // A folder whose branch has no commit yet (as source() alone) gets none of them.
    const bare = setup();
    await bare.service.build({ sourceDir: SRC, services: ['backend'] }, bare.listen);
    expect(Object.keys(bare.gateway.builds[0]?.labels ?? {})).not.toContain(LABEL_CHECKOUT);
  });

  it('sends what the CLI would: no .git or node_modules without a .dockerignore, modes kept', async () => {
    const { gateway, service, tree, listen } = setup();
    await service.build({ sourceDir: SRC, services: ['backend'] }, listen);
    const names = tarNames(gateway.builds[0]?.context ?? Buffer.alloc(0));
    expect(names).toContain('config/docker/Dockerfile.consolidated');
    expect(names).toContain('backend/src/server.ts');
    expect(names.filter((n) => n.includes('node_modules') || n.startsWith('.git'))).toEqual([]);
    // The excluded folders are not even read.
    expect(tree.reads.filter((p) => p.includes('node_modules'))).toEqual([]);
    const listing = spawnSync('tar', ['-tvf', '-'], { input: gateway.builds[0]?.context }).stdout;
    expect(String(listing)).toMatch(/-rwxr-xr-x root\/root .* config\/docker\/shims\/npm/);
  });

  it("follows the folder's .dockerignore, and still sends the Dockerfile it names", async () => {
    const tree = source()
      .file(`${SRC}/.dockerignore`, 'config\nfrontend\n')
      .file(`${SRC}/docs/readme.md`, '# hi');
    const { gateway, service, listen } = setup(tree);
    await service.build({ sourceDir: SRC, services: ['backend'] }, listen);
    const names = tarNames(gateway.builds[0]?.context ?? Buffer.alloc(0));
    expect(names).toContain('config/docker/Dockerfile.consolidated');
    expect(names).toContain('backend/node_modules/big/index.js');
    expect(names).toContain('.dockerignore');
    expect(names.filter((n) => n.startsWith('frontend') || n.includes('shims'))).toEqual([]);
  });

  it('reports each builder step with its count, the output lines, and a percent that only grows', async () => {
    const { service, events, listen } = setup();
    await service.build({ sourceDir: SRC }, listen);
    const steps = events.filter((e) => e.kind === 'step').map((e) => e.step);
    expect(steps).toEqual([
      'backend (1/2): step 1/2 FROM base (cached)',
      'backend (1/2): step 2/2 COPY . .',
      'frontend (2/2): step 1/2 FROM base (cached)',
      'frontend (2/2): step 2/2 COPY . .',
    ]);
    expect(events.filter((e) => e.kind === 'output').map((e) => e.step)).toEqual([
      'backend | building backend-production',
      'frontend | building frontend-production',
    ]);
    const percents = events.map((e) => e.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ kind: 'phase', percent: 100 });
    expect(events.at(-1)?.step).toMatch(/^Built backend=medianest\/backend:local-\w+ frontend=/);
    expect(events.some((e) => e.kind === 'context' && e.bytes.done === e.bytes.total)).toBe(true);
  });

  it('gives the same tag to the same source and a new one when a file changes', async () => {
    const first = await setup().service.build({ sourceDir: SRC }, () => undefined);
    const again = await setup().service.build({ sourceDir: SRC }, () => undefined);
    const changed = await setup(
      source().file(`${SRC}/backend/src/server.ts`, 'export const x = 1;\n'),
    ).service.build({ sourceDir: SRC }, () => undefined);
    expect(again.images).toEqual(first.images);
    expect(changed.images.backend).not.toEqual(first.images.backend);
  });

  it('uses the references, build arguments and labels it is given', async () => {
    const { gateway, service, listen } = setup();
    const result = await service.build(
      {
        sourceDir: `${SRC}/`,
        services: ['frontend'],
        images: { frontend: 'registry.local:5000/mn/frontend' },
        buildArgs: { BASE: 'medianest-rig/base:1' },
        labels: { 'org.medianest.test': 'unit' },
      },
      listen,
    );
    expect(result.images).toEqual({ frontend: 'registry.local:5000/mn/frontend:latest' });
    expect(gateway.builds[0]).toMatchObject({
      buildArgs: { BASE: 'medianest-rig/base:1' },
      labels: { 'org.medianest.test': 'unit' },
    });
  });

  it.each([
    [{ sourceDir: 'relative/path' }, 'sourceDir: must be an absolute path'],
    [{ sourceDir: '/nowhere' }, 'sourceDir: /nowhere does not exist'],
    [
      { sourceDir: `${SRC}/backend` },
      `sourceDir: ${SRC}/backend has no config/docker/Dockerfile.consolidated or Dockerfile: is it a MediaNest source folder?`,
    ],
    [
      { sourceDir: SRC, dockerfile: '../Dockerfile' },
      'dockerfile: must be a path inside the source folder',
    ],
    [
      { sourceDir: SRC, dockerfile: 'Dockerfile.prod' },
      `dockerfile: Dockerfile.prod is not a file in ${SRC}`,
    ],
    [
      { sourceDir: SRC, services: ['nginx'] },
      'services: nginx cannot be built from a MediaNest source folder (buildable: backend, frontend)',
    ],
    [
      { sourceDir: SRC, images: { backend: 'Bad Name' } },
      'images.backend: must not contain spaces',
    ],
    [{ sourceDir: SRC, buildArgs: { 'A-B': '1' } }, 'buildArgs.A-B: must be a build argument name'],
  ])('refuses %j, naming the field', async (options, message) => {
    const { service, gateway } = setup();
    const error = await refusal(service.build(options, () => undefined));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(message);
    expect(gateway.builds).toEqual([]);
  });

  it('refuses a Dockerfile without the target a service needs, listing the stages it has', async () => {
    const tree = source().file(
      `${SRC}/config/docker/Dockerfile.consolidated`,
      'FROM x AS base\nFROM base AS backend-production\n',
    );
    const error = await refusal(setup(tree).service.build({ sourceDir: SRC }, () => undefined));
    expect(error.message).toBe(
      'services: config/docker/Dockerfile.consolidated has no stage "frontend-production" for frontend (its stages: base, backend-production)',
    );
  });

  it('refuses BuildKit syntax when the engine has only the classic builder', async () => {
    const tree = source().file(
      `${SRC}/Dockerfile`,
      'FROM x AS backend-production\nRUN --mount=type=cache,target=/root/.npm npm ci\n',
    );
    const { gateway, service } = setup(tree);
    gateway.offered = ['classic'];
    const error = await refusal(
      service.build(
        { sourceDir: SRC, dockerfile: 'Dockerfile', services: ['backend'] },
        () => undefined,
      ),
    );
    expect(error.message).toMatch(
      /^dockerfile: Dockerfile uses BuildKit features .* the only one this engine offers/,
    );
  });

  it('refuses a checkout with a known defect of MediaNest before asking the engine anything', async () => {
    const tree = source()
      .file(`${SRC}/.dockerignore`, '.git\n**/node_modules\npackage-lock.json\n')
      .file(
        `${SRC}/config/docker/Dockerfile.consolidated`,
        [
          'FROM node:20-alpine AS base',
          'WORKDIR /app',
          'COPY package*.json ./',
          'RUN npm ci',
          'FROM base AS backend-production',
          'FROM base AS frontend-production',
          'COPY --from=base /app/frontend/public ./frontend/public',
        ].join('\n'),
      );
    const { gateway, service } = setup(tree);
    const asked = vi.spyOn(gateway, 'builders');
    const error = await refusal(service.build({ sourceDir: SRC }, () => undefined));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      [
        `sourceDir: ${SRC} cannot be built as it is: MediaNest's own files have 2 known defects that would stop the build, so nothing was sent to Docker:`,
        '  1. .dockerignore, line 3: `.dockerignore` leaves `package-lock.json` out of what is sent to Docker (line 3: `package-lock.json`), but `config/docker/Dockerfile.consolidated` runs `npm ci` at line 4, which refuses to install without that lockfile.',
        '     What to do: Add the line `!package-lock.json` at the end of `.dockerignore` (or delete line 3); or use images built elsewhere: a registry image, or an archive loaded with `images load FILE`, chosen as "My own images" in Settings.',
        '  2. config/docker/Dockerfile.consolidated, line 7: `config/docker/Dockerfile.consolidated` copies `frontend/public` at line 7, but the checkout has no `frontend/public` folder: the build stops there.',
        '     What to do: Create the folder in the checkout (`mkdir frontend/public`; empty is enough); or use images built elsewhere: a registry image, or an archive loaded with `images load FILE`, chosen as "My own images" in Settings.',
      ].join('\n'),
    );
    expect(error.details).toMatchObject({
      fields: {
        sourceDir: `${SRC} cannot be built as it is: MediaNest's own files have 2 known defects that would stop the build, so nothing was sent to Docker`,
      },
      findings: [
        { code: 'lockfile-ignored', file: '.dockerignore', line: 3 },
        { code: 'frontend-public-missing', file: 'config/docker/Dockerfile.consolidated', line: 7 },
      ],
    });
    expect(asked).not.toHaveBeenCalled();
    expect(gateway.builds).toEqual([]);
    // The API's check before a job refuses the same way.
    await expect(service.checkBuild({ sourceDir: SRC })).rejects.toThrow(error.message);
    // Building only the backend leaves the frontend's folder out of it.
    const backendOnly = await refusal(
      service.build({ sourceDir: SRC, services: ['backend'] }, () => undefined),
    );
    expect(backendOnly.message).toMatch(/have a known defect that would stop the build/);
  });

  it('refuses a context over the size cap before sending anything', async () => {
    const { service, gateway } = setup(
      source().file(`${SRC}/media/movie.mkv`, 'm'.repeat(20_000)),
      10 * 1024,
    );
    const error = await refusal(service.build({ sourceDir: SRC }, () => undefined));
    expect(error.message).toMatch(
      /^sourceDir: the build context is over 10 KB \(at media\/movie\.mkv\); list what/,
    );
    expect(gateway.builds).toEqual([]);
  });

  it("fails with the builder's own message, the step it failed at, and its last output", async () => {
    const { gateway, service } = setup();
    gateway.script['backend-production'] = {
      events: [
        {
          kind: 'step',
          current: 3,
          total: 9,
          name: '[backend-build 2/4] RUN npm run build',
          cached: false,
        },
      ],
      error: 'executor failed running [/bin/sh -c npm run build]: exit code: 2',
    };
    const error = await refusal(service.build({ sourceDir: SRC }, () => undefined));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      'backend: building backend-production failed at step 3/9 ([backend-build 2/4] RUN npm run build): executor failed running [/bin/sh -c npm run build]: exit code: 2',
    );
    expect(error.details).toMatchObject({ service: 'backend', step: 3, output: ['last line'] });
    expect(gateway.builds).toHaveLength(1);
  });
});

describe('ImageSourceService.load', () => {
  const saved = tarOfFiles({
    'abc/layer.tar': 'L'.repeat(4000),
    'manifest.json': JSON.stringify([
      { RepoTags: ['medianest/backend:1.0', 'medianest/frontend:1.0', 'postgres:16-alpine'] },
    ]),
  });

  it('streams the archive to the engine with byte progress and maps the tags to services', async () => {
    const { gateway, service, tree, events, listen } = setup();
    tree.file('/media/usb/medianest.tar.gz', gzipSync(saved));
    gateway.loadAnswer = {
      references: ['medianest/backend:1.0', 'medianest/frontend:1.0', 'postgres:16-alpine'],
      imageIds: [],
    };
    gateway.loadOutput = ['Loaded image: medianest/backend:1.0'];
    const result = await service.load('/media/usb/medianest.tar.gz', listen);
    expect(gateway.loads[0]).toEqual(gzipSync(saved));
    expect(result.images).toEqual({
      backend: 'medianest/backend:1.0',
      frontend: 'medianest/frontend:1.0',
      postgres: 'postgres:16-alpine',
    });
    const bytes = events.filter((e) => e.kind === 'archive').map((e) => e.bytes.done);
    expect(bytes.at(-1)).toBe(gzipSync(saved).length);
    expect(events.at(-1)?.step).toBe(
      'Loaded medianest/backend:1.0 medianest/frontend:1.0 postgres:16-alpine; for settings images: backend=medianest/backend:1.0 frontend=medianest/frontend:1.0 postgres=postgres:16-alpine',
    );
  });

  it('refuses a file that is not a tar before sending a byte', async () => {
    const { gateway, service, tree } = setup();
    tree.file('/tmp/notes.txt', 'hello');
    const error = await refusal(service.load('/tmp/notes.txt', () => undefined));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe(
      'archive: /tmp/notes.txt is not a tar file: not an image archive (make one with `docker save IMAGE... -o FILE.tar`)',
    );
    expect(gateway.loads).toEqual([]);
  });

  it('says a tar without manifest.json is not an image archive when the engine refuses it', async () => {
    const { gateway, service, tree } = setup();
    tree.file('/tmp/source.tar', tarOfFiles({ Dockerfile: 'FROM x' }));
    gateway.loadAnswer = {
      error: 'open /var/lib/docker/tmp/docker-import-1/repositories: no such file or directory',
    };
    const error = await refusal(service.load('/tmp/source.tar', () => undefined));
    expect(error.message).toBe(
      'archive: /tmp/source.tar is a tar file without manifest.json: not an image archive (make one with `docker save IMAGE... -o FILE.tar`)',
    );
  });

  it("passes on the engine's words when it refuses a real image archive", async () => {
    const { gateway, service, tree } = setup();
    tree.file('/tmp/images.tar', saved);
    gateway.loadAnswer = { error: 'no space left on device' };
    const error = await refusal(service.load('/tmp/images.tar', () => undefined));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('The engine could not load images.tar: no space left on device');
  });

  it.each([
    ['relative.tar', 'archive: must be an absolute path'],
    ['/missing.tar', 'archive: /missing.tar does not exist'],
    [SRC, `archive: ${SRC} is not a file`],
  ])('refuses %s', async (path, message) => {
    const error = await refusal(setup().service.load(path, () => undefined));
    expect(error.message).toBe(message);
  });
});
