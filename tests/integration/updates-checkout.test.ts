/**
 * Knowing that there is an update for a local build from a git checkout: the backend image built
 * by our build from a clone of a MediaNest-shaped repository (its remote a bare repository on
 * this machine), the stack rendered with it. Nothing new at first; a commit pushed to the branch's
 * remote is "1 newer commit on develop" with its subject, the checkout's files and branch left as
 * they were; with the remote gone, the check says git's reason and keeps the last answer.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceUpdate, UpdatesReport } from '../../server/src/contract/updates-routes.js';
import {
  LABEL_BRANCH,
  LABEL_CHECKOUT,
  LABEL_REVISION,
} from '../../server/src/core/images/build-images.js';
import { cli, cliOk } from './support/cli.js';
import { prepareImageSource, type ImageSource } from './support/image-source.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = `mnupdgit${Date.now().toString(36)}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const env = stackEnv(rig.dockerHost, PROJECT);
let source: ImageSource;
let origin = '';
let upstream = '';
let home = '';
let built = '';
let image = '';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};
const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: GIT_ENV }).trim();

async function check(): Promise<{ backend: ServiceUpdate; stdout: string }> {
  const result = await cli(['updates', '--check', '--json', '--home', home], env);
  const report = JSON.parse(result.stdout) as UpdatesReport;
  const backend = report.services.find((s) => s.service === 'backend');
  if (!backend) throw new Error(`no backend in ${result.stdout}`);
  return { backend, stdout: result.stdout };
}

beforeAll(async () => {
  source = await prepareImageSource(docker, rig, 'updgit');
  const { src, work } = source;
  // The fixture's stand-in .git (a HEAD only) becomes a real clone of a bare "origin".
  rmSync(join(src, '.git'), { recursive: true, force: true });
  execFileSync('git', ['init', '-q', '-b', 'develop', src]);
  appendFileSync(join(src, '.git/info/exclude'), 'node_modules/\n.env.production\n');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'MediaNest as built');
  origin = join(work, 'origin.git');
  execFileSync('git', ['clone', '-q', '--bare', src, origin]);
  git(src, 'remote', 'add', 'origin', origin);
  git(src, 'fetch', '-q', 'origin');
  git(src, 'branch', '-q', '--set-upstream-to', 'origin/develop');
  built = git(src, 'rev-parse', 'HEAD');
  // Somebody else's clone, where the next commit is made and pushed.
  upstream = join(work, 'upstream');
  execFileSync('git', ['clone', '-q', '-b', 'develop', origin, upstream]);

  image = `${source.repo}:backend`;
  await source.build({ services: ['backend'], images: { backend: image } });
  home = join(work, 'home');
  mkdirSync(home);
  const images = JSON.parse(readFileSync(rig.imagesFile, 'utf8')) as Record<string, string>;
  const file = join(work, 'images.json');
  writeFileSync(file, JSON.stringify({ ...images, backend: image, migrate: image }));
  await initStack(rig, home, env, file);
}, 300_000);

afterAll(async () => {
  await source?.cleanup();
});

describe('update detection for a local build from a git checkout', () => {
  it('records the checkout on the image and finds nothing new while the branch has not moved', async () => {
    const labels = (await docker.getImage(image).inspect()).Config.Labels;
    expect(labels).toMatchObject({
      [LABEL_CHECKOUT]: source.src,
      [LABEL_BRANCH]: 'develop',
      [LABEL_REVISION]: built,
    });
    const { backend } = await check();
    expect(backend).toMatchObject({
      image,
      localBuild: true,
      updateAvailable: false,
      checkout: { dir: source.src, branch: 'develop', commit: built, behind: 0 },
    });
    expect(backend.error).toBeUndefined();
  });

  it('says "1 newer commit on develop" once one is pushed, leaving the checkout as it was', async () => {
    writeFileSync(join(upstream, 'CHANGELOG.md'), 'Faster library scans\n');
    git(upstream, 'add', 'CHANGELOG.md');
    git(upstream, 'commit', '-q', '-m', 'Faster library scans');
    git(upstream, 'push', '-q', 'origin', 'develop');
    const newest = git(upstream, 'rev-parse', 'HEAD');

    const { backend } = await check();
    expect(backend).toMatchObject({
      updateAvailable: true,
      checkout: { commit: built, behind: 1, newest, subject: 'Faster library scans' },
    });
    const text = await cliOk(['updates', '--home', home], env);
    expect(text.stdout).toContain(
      `1 newer commit on develop (${newest.slice(0, 12)} Faster library scans)`,
    );
    expect(text.stdout).toContain(`pull them in ${source.src} (git pull)`);
    // The user's branch and files did not move: only the remote-tracking side did.
    expect(git(source.src, 'rev-parse', 'HEAD')).toBe(built);
    expect(git(source.src, 'status', '--porcelain')).toBe('');
  });

  it("with the remote gone: says git's reason and keeps the last answer", async () => {
    renameSync(origin, `${origin}.away`);
    try {
      const { backend } = await check();
      expect(backend.error?.message).toMatch(
        new RegExp(`git could not fetch develop from origin in ${source.src}: .*origin\\.git`),
      );
      expect(backend).toMatchObject({ updateAvailable: true, checkout: { behind: 1 } });
    } finally {
      renameSync(`${origin}.away`, origin);
    }
  });
});
