/**
 * Image archives (offline install) against the rig's real engine: an image built from the
 * MediaNest-shaped fixture (see support/image-source.ts), saved with the engine's get API and
 * loaded back, through the service and the CLI verb, and files that are not image archives.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesCommand } from '../../server/src/cli/images-command.js';
import type { CliIo } from '../../server/src/cli/io.js';
import { LABEL_IMAGE_SERVICE } from '../../server/src/core/images/build-images.js';
import type { ImageProgress } from '../../server/src/core/images/image-source-service.js';
import { failure, prepareImageSource, type ImageSource } from './support/image-source.js';
import { rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
let source: ImageSource;
let REPO = '';
let src = '';
let work = '';

const build: ImageSource['build'] = (options, onProgress) => source.build(options, onProgress);

beforeAll(async () => {
  source = await prepareImageSource(docker, rig, 'images-archive');
  ({ repo: REPO, src, work } = source);
  // A real image to save: the frontend, on the rig's base (hundreds of MB of layers).
  await build({ services: ['frontend'], images: { frontend: `${REPO}:frontend` } });
});

afterAll(async () => {
  await source?.cleanup();
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
    const result = await source.images.load(archive, (p) => events.push(p));
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
    const textError = await failure(source.images.load(text, () => undefined));
    expect(textError.code).toBe('validation_failed');
    expect(textError.message).toBe(
      `archive: ${text} is not a tar file: not an image archive (make one with \`docker save IMAGE... -o FILE.tar\`)`,
    );

    const sourceTar = join(work, 'source.tar');
    expect(spawnSync('tar', ['-cf', sourceTar, '-C', src, 'config']).status).toBe(0);
    const tarError = await failure(source.images.load(sourceTar, () => undefined));
    expect(tarError.message).toBe(
      `archive: ${sourceTar} is a tar file without manifest.json: not an image archive (make one with \`docker save IMAGE... -o FILE.tar\`)`,
    );
  });
});
