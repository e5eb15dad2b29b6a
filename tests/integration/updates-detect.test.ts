/**
 * Knowing that there is an update, against a real registry (Debian's docker-registry on loopback)
 * and the rig's engine: the stack's backend runs `<registry>/medianest/backend:v1`. Nothing new at
 * first; another image pushed to the same tag is "a new digest on v1"; a `v2` tag is a newer
 * version (a `v2-broken` one is not); with the registry gone, the check says it is not reachable
 * and keeps the last answer with its time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceUpdate, UpdatesReport } from '../../server/src/contract/updates-routes.js';
import { cli, cliOk } from './support/cli.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { startRegistry, type LocalRegistry } from './support/registry.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const PROJECT = `mnupd${Date.now().toString(36)}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const env = stackEnv(rig.dockerHost, PROJECT);
let registry: LocalRegistry;
let dir = '';
let home = '';
let repo = '';
let reference = '';
let pushedV1 = '';

async function check(): Promise<{ code: number; report: UpdatesReport; backend: ServiceUpdate }> {
  const result = await cli(['updates', '--check', '--json', '--home', home], env);
  const report = JSON.parse(result.stdout) as UpdatesReport;
  const backend = report.services.find((s) => s.service === 'backend');
  if (!backend) throw new Error(`no backend in ${result.stdout}`);
  return { code: result.code, report, backend };
}

beforeAll(async () => {
  registry = await startRegistry();
  repo = `${registry.host}/medianest/backend`;
  reference = `${repo}:v1`;
  // The push leaves the reference tagged here with the digest it was pushed as: as pulled.
  pushedV1 = await registry.push(docker, imageOf(rig, 'backend'), 'medianest/backend:v1');
  dir = mkdtempSync(join(tmpdir(), `mna-${PROJECT}-`));
  home = join(dir, 'home');
  const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
  const file = join(dir, 'images.json');
  writeFileSync(file, JSON.stringify({ ...images, backend: reference, migrate: reference }));
  await initStack(rig, home, env, file);
}, 120_000);

afterAll(async () => {
  for (const tag of ['v1', 'v2', 'v2-broken'])
    await docker
      .getImage(`${repo}:${tag}`)
      .remove()
      .catch(() => undefined);
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('update detection against a registry', () => {
  it('finds nothing new while the registry has what runs; asks nothing about local builds', async () => {
    const { code, report, backend } = await check();
    expect(code).toBe(0);
    expect(backend).toMatchObject({
      image: reference,
      tag: 'v1',
      currentDigest: pushedV1,
      present: true,
      newerVersions: [],
      updateAvailable: false,
    });
    expect(backend.newDigest).toBeUndefined();
    expect(backend.error).toBeUndefined();
    expect(report.services.find((s) => s.service === 'migrate')).toMatchObject({
      currentDigest: pushedV1,
      updateAvailable: false,
    });
    // The rig's other images were built here: no registry to ask, no error.
    expect(report.services.find((s) => s.service === 'postgres')).toMatchObject({
      localBuild: true,
      updateAvailable: false,
    });
  });

  it('says "new digest on v1" when another image is pushed to the same tag', async () => {
    const moved = await registry.push(docker, imageOf(rig, 'frontend'), 'medianest/backend:v1');
    // The push re-tagged v1 here; what runs is still the image pulled first.
    const [repoName = '', tag = ''] = [repo, 'v1'];
    await docker.getImage(imageOf(rig, 'backend')).tag({ repo: repoName, tag });
    const { backend } = await check();
    expect(moved).not.toBe(pushedV1);
    expect(backend).toMatchObject({
      currentDigest: pushedV1,
      newDigest: moved,
      updateAvailable: true,
    });
    const text = await cliOk(['updates', '--home', home], env);
    expect(text.stdout).toMatch(
      /backend\s+\S+:v1\s+v1 sha256:\w{12}\s+new digest on v1 \(sha256:\w{12}\)/,
    );
  });

  it('says "newer version v2", never v2-broken', async () => {
    await registry.push(docker, imageOf(rig, 'frontend'), 'medianest/backend:v2');
    await registry.push(docker, imageOf(rig, 'frontend'), 'medianest/backend:v2-broken');
    const { backend } = await check();
    expect(backend.newerVersions).toEqual([{ tag: 'v2', step: 'major' }]);
    const text = await cliOk(['updates', '--home', home], env);
    expect(text.stdout).toContain('newer version v2 (major)');
  });

  it('with the registry down: says it is not reachable, keeps the last answer and its age', async () => {
    const before = (await check()).backend;
    await registry.stop();
    const { code, backend } = await check();
    expect(code).toBe(1);
    expect(backend).toMatchObject({
      newerVersions: [{ tag: 'v2', step: 'major' }],
      newDigest: before.newDigest,
      checkedAt: before.checkedAt,
      updateAvailable: true,
    });
    expect(backend.error?.message).toMatch(
      new RegExp(
        `registry ${registry.host.replace(/\./g, '\\.')} not reachable: .*connection refused`,
      ),
    );
    const text = await cliOk(['updates', '--home', home], env);
    expect(text.stdout).toMatch(
      /backend: registry \S+ not reachable: .*; the answer above is from (just now|\d+ min ago)\./,
    );
  });
});
