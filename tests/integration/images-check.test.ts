/**
 * `images check` on the real engine (issue 16, part 3): deliberately wrong backend images (no node,
 * a wrong user, no migrations), each explained per service before anything starts, and `up`
 * refusing with the same findings, nothing created. The rig's images pass. The API's
 * `POST /api/images/check` answers the CLI's report, and checks images being chosen before they
 * are saved.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../server/src/contract/client.js';
import type { ImagesCheckInput } from '../../server/src/contract/images-routes.js';
import type { ImageCheckReport } from '../../server/src/core/stack/image-check.js';
import { createServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { tarOfFiles } from '../../server/src/core/tar/tar.test-support.js';
import { cli, cliOk } from './support/cli.js';
import { TEST_LABEL } from './support/containers.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const SUITE = 'imagescheck';
const PROJECT = 'mnimgcheck';
const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-imgcheck-'));
const env = stackEnv(rig.dockerHost, PROJECT);
const built: string[] = [];

/** A backend image made wrong on purpose, FROM the rig's own backend. */
async function wrongBackend(name: string, steps: string): Promise<string> {
  const tag = `medianest-test/backend-${name}:${SUITE}`;
  const context = tarOfFiles({
    Dockerfile: `FROM ${imageOf(rig, 'backend')}\nUSER 0:0\n${steps}\n`,
  });
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: tag,
    labels: { [TEST_LABEL]: SUITE },
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, out: Array<{ error?: string }>) => {
      const failed = error?.message ?? out.find((o) => o.error)?.error;
      return failed ? reject(new Error(failed)) : resolve();
    }),
  );
  built.push(tag);
  return tag;
}

/** A home whose stack runs `backend` (and its migrations) from the given image. */
async function homeWith(name: string, backend: string): Promise<string> {
  const home = join(dir, name);
  const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...images, backend, migrate: backend }));
  await initStack(rig, home, env, file);
  return home;
}

const check = async (home: string): Promise<ImageCheckReport> =>
  JSON.parse(
    (await cli(['images', 'check', '--json', '--home', home], env)).stdout,
  ) as ImageCheckReport;

/** `POST /api/images/check` from a server on `home`, as the UI asks it. */
async function apiCheck(home: string, input: ImagesCheckInput = {}): Promise<ImageCheckReport> {
  const server = createServer({ home, env, logger: createLogger({ write: () => undefined }) });
  const { url, token } = await server.start();
  try {
    return await createApiClient({ baseUrl: url, token }).imagesCheck(input);
  } finally {
    await server.stop();
  }
}

/** Every secret value the home's stack holds. */
const secretValues = (home: string): string[] =>
  readdirSync(join(home, 'stack', 'secrets'), { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(home, 'stack', 'secrets', entry.name), 'utf8').trim())
    .filter((value) => value.length >= 16);

let goodHome = '';

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
}, 60_000);

afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  for (const tag of built)
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('images check', () => {
  it("passes the rig's images: every need met, the stack will start", async () => {
    const home = await homeWith('good', imageOf(rig, 'backend'));
    goodHome = home;
    const result = await cliOk(['images', 'check', '--home', home], env);
    expect(result.stdout).toContain('The stack will start with these images.');
    const report = await check(home);
    expect(report.willStart).toBe(true);
    expect(report.services.map((s) => s.service).sort()).toEqual([
      'backend',
      'frontend',
      'migrate',
    ]);
    // The API answers the same document, naming each image exactly, and no secret.
    const viaApi = await apiCheck(home);
    expect(viaApi).toEqual(report);
    for (const s of viaApi.services) expect(s.exactly, s.service).toMatch(/sha256:[0-9a-f]{64}$/);
    const body = JSON.stringify(viaApi);
    for (const value of secretValues(home)) expect(body).not.toContain(value);
  });

  it.each([
    ['no-node', 'RUN rm -f /usr/bin/node /usr/local/bin/node', 'node', 'has none'],
    ['wrong-user', 'USER 1000:1000', 'user', 'has 1000:1000'],
    [
      'no-migrations',
      'RUN rm -rf /app/backend/prisma\nUSER 1001:1001',
      'migrations',
      'has none (looked in',
    ],
  ])(
    'explains an image with %s, and up refuses with it, creating nothing',
    async (name, steps, what, has) => {
      const image = await wrongBackend(name, steps);
      const home = await homeWith(name, image);
      const report = await check(home);
      expect(report.willStart).toBe(false);
      const failed = report.services
        .filter((s) => s.service === 'backend' || s.service === 'migrate')
        .flatMap((s) => s.findings.filter((f) => !f.ok));
      expect(failed.map((f) => f.what)).toContain(what);
      expect(await apiCheck(home)).toEqual(report);
      const human = await cli(['images', 'check', '--home', home], env);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`FAIL  ${what}`);
      expect(human.stdout).toContain('The stack would not start with these images.');

      const up = await cli(['up', '--home', home], env);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain(
        'The stack would not start with these images; nothing was started:',
      );
      expect(up.stderr).toContain(`backend (${image}): ${what}: needs`);
      expect(up.stderr).toContain(has);
      const containers = await docker.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${PROJECT}`] },
      });
      expect(containers).toEqual([]);
    },
  );

  it('the API checks images being chosen, before they are saved: nothing written', async () => {
    expect(goodHome, 'the first test installs the good home').not.toBe('');
    const image = await wrongBackend('no-node', 'RUN rm -f /usr/bin/node /usr/local/bin/node');
    const compose = join(goodHome, 'stack', 'compose.yaml');
    const rendered = readFileSync(compose, 'utf8');

    const report = await apiCheck(goodHome, {
      changes: { images: { ...rig.images, backend: image, migrate: image } },
    });
    expect(report.willStart).toBe(false);
    const backend = report.services.find((s) => s.service === 'backend');
    expect(backend?.image).toBe(image);
    expect(backend?.findings.find((f) => f.what === 'node')).toMatchObject({
      ok: false,
      has: 'none',
    });
    expect(report.services.find((s) => s.service === 'frontend')?.ok).toBe(true);

    expect(readFileSync(compose, 'utf8')).toBe(rendered);
    expect((await check(goodHome)).willStart).toBe(true);
  });
});
