/**
 * `images check` on the real engine (issue 16, part 3): deliberately wrong backend images (no node,
 * a wrong user, no migrations), each explained per service before anything starts, and `up`
 * refusing with the same findings, nothing created. The rig's images pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageCheckReport } from '../../server/src/core/stack/image-check.js';
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
    const result = await cliOk(['images', 'check', '--home', home], env);
    expect(result.stdout).toContain('The stack will start with these images.');
    const report = await check(home);
    expect(report.willStart).toBe(true);
    expect(report.services.map((s) => s.service).sort()).toEqual([
      'backend',
      'frontend',
      'migrate',
    ]);
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
});
