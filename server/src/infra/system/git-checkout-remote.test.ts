/**
 * GitCheckoutRemote against real git repositories in a temporary folder: a bare "origin" and a
 * clone of it, as a user's MediaNest checkout is (the remote is a path: nothing leaves the machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitCheckoutRemote } from './git-checkout-remote.js';

let root = '';
let origin = '';
let clone = '';
let upstream = '';

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
    },
  }).trim();

function commit(dir: string, file: string, message: string): string {
  writeFileSync(join(dir, file), `${message}\n`);
  git(dir, 'add', file);
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mna-git-remote-'));
  upstream = join(root, 'upstream');
  origin = join(root, 'origin.git');
  clone = join(root, 'clone');
  execFileSync('git', ['init', '-q', '-b', 'develop', upstream]);
  commit(upstream, 'a.txt', 'First');
  execFileSync('git', ['clone', '-q', '--bare', upstream, origin]);
  execFileSync('git', ['clone', '-q', '-b', 'develop', origin, clone]);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a checkout's remote, asked through git", () => {
  it('counts the commits the branch has beyond the one built, leaving the files and branch alone', async () => {
    const remote = new GitCheckoutRemote();
    const built = git(clone, 'rev-parse', 'HEAD');
    const checkout = { dir: clone, branch: 'develop', commit: built };
    expect(await remote.newer(checkout)).toEqual({ behind: 0, newest: built, subject: '' });

    commit(upstream, 'b.txt', 'Second');
    const newest = commit(upstream, 'c.txt', 'Faster library scans');
    git(upstream, 'push', '-q', origin, 'develop');
    expect(await remote.newer(checkout)).toEqual({
      behind: 2,
      newest,
      subject: 'Faster library scans',
    });
    // Only the remote-tracking side moved: the user's branch and files are as they were.
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(built);
    expect(git(clone, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(clone, 'a.txt'), 'utf8')).toBe('First\n');
  });

  it("fails with git's reason when the remote is gone, or the folder is no checkout", async () => {
    const remote = new GitCheckoutRemote();
    const elsewhere = join(root, 'elsewhere');
    execFileSync('git', ['clone', '-q', origin, elsewhere]);
    git(elsewhere, 'remote', 'set-url', 'origin', join(root, 'missing.git'));
    const commitNow = git(elsewhere, 'rev-parse', 'HEAD');
    await expect(
      remote.newer({ dir: elsewhere, branch: 'develop', commit: commitNow }),
    ).rejects.toThrow(/git could not fetch develop from origin in .*elsewhere: .*missing\.git/);
    await expect(
      remote.newer({ dir: join(root, 'nothing'), branch: 'develop', commit: commitNow }),
    ).rejects.toThrow(/git could not fetch develop from origin in .*nothing/);
  });

  it('says git is not installed when it is not', async () => {
    const remote = new GitCheckoutRemote('/nonexistent/git');
    await expect(
      remote.newer({ dir: clone, branch: 'develop', commit: 'a'.repeat(40) }),
    ).rejects.toThrow('git is not installed on this machine');
  });
});
