import { describe, expect, it } from 'vitest';
import { checkoutRevision } from './checkout-revision.js';
import { MemoryTree } from './fakes.test-support.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('the commit and branch of a checkout, read from .git', () => {
  it('follows HEAD to a loose branch ref, then to packed-refs', async () => {
    const tree = new MemoryTree()
      .file('/src/.git/HEAD', 'ref: refs/heads/develop\n')
      .file('/src/.git/refs/heads/develop', `${A}\n`);
    expect(await checkoutRevision(tree, '/src')).toEqual({ commit: A, branch: 'develop' });
    const packed = new MemoryTree()
      .file('/src/.git/HEAD', 'ref: refs/heads/feature/x\n')
      .file(
        '/src/.git/packed-refs',
        `# pack-refs with: peeled fully-peeled sorted\n${B} refs/heads/feature/x\n${A} refs/tags/v1\n`,
      );
    expect(await checkoutRevision(packed, '/src')).toEqual({ commit: B, branch: 'feature/x' });
  });

  it('reads a detached HEAD as a commit without a branch, and a worktree through its .git file', async () => {
    const detached = new MemoryTree().file('/src/.git/HEAD', `${A}\n`);
    expect(await checkoutRevision(detached, '/src')).toEqual({ commit: A });
    const worktree = new MemoryTree()
      .file('/wt/.git', 'gitdir: /main/.git/worktrees/wt\n')
      .file('/main/.git/worktrees/wt/HEAD', 'ref: refs/heads/hotfix\n')
      .file('/main/.git/worktrees/wt/commondir', '../..\n')
      .file('/main/.git/refs/heads/hotfix', `${B}\n`);
    expect(await checkoutRevision(worktree, '/wt')).toEqual({ commit: B, branch: 'hotfix' });
  });

  it('finds nothing in a folder that is no checkout, or whose HEAD is not what git writes', async () => {
    expect(await checkoutRevision(new MemoryTree().file('/src/a', 'x'), '/src')).toBeUndefined();
    const fresh = new MemoryTree().file('/src/.git/HEAD', 'ref: refs/heads/main\n');
    expect(await checkoutRevision(fresh, '/src')).toBeUndefined();
    const hostile = new MemoryTree()
      .file('/src/.git/HEAD', 'ref: refs/heads/../../../etc/passwd\n')
      .file('/etc/passwd', A);
    expect(await checkoutRevision(hostile, '/src')).toBeUndefined();
  });
});
