/**
 * The commit and branch a source folder is checked out at, read from its `.git` as git keeps it
 * (HEAD, loose refs, packed-refs; a linked worktree's `.git` file and `commondir`), without the
 * git program: a build records them on its images, and the update check later asks the
 * checkout's remote for newer commits on that branch. Nothing here runs git or follows a remote.
 */
import { posix } from 'node:path';
import type { SourceTree } from './source-tree.js';

export interface CheckoutRevision {
  /** The commit HEAD names (40 hex, or 64 for a SHA-256 repository). */
  commit: string;
  /** The branch HEAD is on; absent for a detached HEAD. */
  branch?: string;
}

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A branch name git would accept, conservatively: no `..`, no control or special characters. */
const BRANCH = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

async function readTrimmed(tree: SourceTree, path: string): Promise<string | undefined> {
  if ((await tree.stat(path))?.kind !== 'file') return undefined;
  return (await tree.readText(path)).trim();
}

/** The folder holding HEAD, and the one holding the shared refs (the same unless a worktree). */
async function gitDirs(
  tree: SourceTree,
  dir: string,
): Promise<{ gitDir: string; commonDir: string } | undefined> {
  const dotGit = posix.join(dir, '.git');
  const kind = (await tree.stat(dotGit))?.kind;
  let gitDir: string;
  if (kind === 'dir') gitDir = dotGit;
  else if (kind === 'file') {
    const pointer = /^gitdir:\s*(.+)$/m.exec(await tree.readText(dotGit))?.[1]?.trim();
    if (!pointer) return undefined;
    gitDir = posix.resolve(dir, pointer);
  } else return undefined;
  const common = await readTrimmed(tree, posix.join(gitDir, 'commondir'));
  return { gitDir, commonDir: common ? posix.resolve(gitDir, common) : gitDir };
}

/** What HEAD stands for in the checkout at `dir`; undefined when it is no git checkout. */
export async function checkoutRevision(
  tree: SourceTree,
  dir: string,
): Promise<CheckoutRevision | undefined> {
  const dirs = await gitDirs(tree, dir);
  if (!dirs) return undefined;
  const head = await readTrimmed(tree, posix.join(dirs.gitDir, 'HEAD'));
  if (!head) return undefined;
  if (COMMIT.test(head)) return { commit: head };
  const ref = /^ref:\s*(refs\/heads\/(.+))$/.exec(head);
  if (!ref?.[1] || !ref[2] || !BRANCH.test(ref[2])) return undefined;
  const [, name, branch] = ref;
  for (const where of [dirs.gitDir, dirs.commonDir]) {
    const loose = await readTrimmed(tree, posix.join(where, name));
    if (loose && COMMIT.test(loose)) return { commit: loose, branch };
  }
  const packed = (await readTrimmed(tree, posix.join(dirs.commonDir, 'packed-refs'))) ?? '';
  for (const line of packed.split('\n')) {
    const [commit, refName] = line.trim().split(' ');
    if (refName === name && commit && COMMIT.test(commit)) return { commit, branch };
  }
  // A branch with no commit yet (a fresh `git init`): nothing to record.
  return undefined;
}
