/**
 * An image the user names by a registry reference, pulled from a real registry (Debian's
 * docker-registry on loopback): `up` pulls it, its progress says exactly what was pulled (the
 * digest the tag stood for), `images check` names the image by that digest, and with the registry
 * gone a pull fails with the reason and changes nothing. The size the registry states for a pull
 * and the free space of the engine's storage, which an update weighs before it pulls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageCheckReport } from '../../server/src/contract/images-routes.js';
import { parseImageReference } from '../../server/src/core/updates/image-reference.js';
import { DockerodeEngineStorage } from '../../server/src/infra/docker/dockerode-engine-storage.js';
import { machineArchitecture, RegistryClient } from '../../server/src/infra/net/registry-client.js';
import { cli, cliOk } from './support/cli.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { startRegistry, type LocalRegistry } from './support/registry.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const PROJECT = `mnreg${Date.now().toString(36)}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const env = stackEnv(rig.dockerHost, PROJECT);
let registry: LocalRegistry;
let dir = '';
let home = '';
let reference = '';
let digest = '';

beforeAll(async () => {
  registry = await startRegistry();
  digest = await registry.push(docker, imageOf(rig, 'backend'), 'medianest/backend:v1');
  reference = `${registry.host}/medianest/backend:v1`;
  // Only the registry has the reference now: `up` must pull it (its layers are here already).
  await docker.getImage(reference).remove();
  dir = mkdtempSync(join(tmpdir(), `mna-${PROJECT}-`));
  home = join(dir, 'home');
  const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
  const file = join(dir, 'images.json');
  writeFileSync(file, JSON.stringify({ ...images, backend: reference, migrate: reference }));
  await initStack(rig, home, env, file);
}, 120_000);

afterAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await docker
    .getImage(reference)
    .remove()
    .catch(() => undefined);
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an image from a registry', () => {
  it('is pulled by up, which says the digest the tag stood for; images check names it so', async () => {
    const up = await cliOk(['up', '--home', home], env);
    const pulledAs = `${registry.host}/medianest/backend@${digest}`;
    expect(up.stderr).toContain(`${reference}: Pulled as ${pulledAs}`);
    const report = JSON.parse(
      (await cliOk(['images', 'check', '--json', '--home', home], env)).stdout,
    ) as ImageCheckReport;
    const backend = report.services.find((s) => s.service === 'backend');
    expect(backend).toMatchObject({ image: reference, exactly: pulledAs, ok: true });
    expect(report.willStart).toBe(true);
  });

  it("states what a pull downloads, and reads the free space of the engine's own storage", async () => {
    // What an update's preflight weighs before it pulls (core/updates/update-space.ts).
    const client = new RegistryClient({ architecture: machineArchitecture() });
    const download = await client.downloadSize(parseImageReference(reference), 'v1');
    const unpacked = (await docker.getImage(reference).inspect()).Size;
    expect(download).toBeGreaterThan(0);
    expect(download).toBeLessThanOrEqual(unpacked);
    const storage = await new DockerodeEngineStorage(rig.dockerHost).free();
    const root = ((await docker.info()) as { DockerRootDir: string }).DockerRootDir;
    expect(storage?.dir).toBe(root);
    const fs = await statfs(root);
    expect(Math.abs(storage!.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(256 * 1024 ** 2);
  });

  it('cannot be pulled with the registry gone: up says why and changes nothing', async () => {
    const before = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${PROJECT}`] },
    });
    await registry.stop();
    await docker.getImage(reference).remove({ force: true });
    const up = await cli(['up', '--home', home], env);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(
      new RegExp(
        `Could not pull ${reference.replace(/[.:]/g, '\\$&')}: .*connection refused.*Nothing was changed`,
        's',
      ),
    );
    const after = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${PROJECT}`] },
    });
    expect(after.map((c) => `${c.Id} ${c.State}`).sort()).toEqual(
      before.map((c) => `${c.Id} ${c.State}`).sort(),
    );
  });
});
