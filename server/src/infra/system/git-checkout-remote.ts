/**
 * A checkout's remote, asked through the git program the checkout was made with: `git fetch` of
 * the one branch from the branch's own remote (its upstream, else `origin`), which moves only the
 * remote-tracking ref, never the user's files or branches; then the count of commits beyond the
 * one built. No prompt can hang it (GIT_TERMINAL_PROMPT=0), no repository hook runs, and a remote
 * that does not answer within the deadline is a failure with git's own words.
 */
import { execFile } from 'node:child_process';
import type {
  BuildCheckout,
  CheckoutRemote,
  NewerCommits,
} from '../../core/updates/registry-ports.js';

const FETCH_TIMEOUT_MS = 60_000;
const READ_TIMEOUT_MS = 10_000;
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitCheckoutRemote implements CheckoutRemote {
  constructor(private readonly git = 'git') {}

  async newer(checkout: BuildCheckout): Promise<NewerCommits> {
    const { dir, branch, commit } = checkout;
    const configured = await this.run(dir, ['config', '--get', `branch.${branch}.remote`]);
    const remote =
      configured.code === 0 && configured.stdout.trim() ? configured.stdout.trim() : 'origin';
    const fetch = await this.run(
      dir,
      ['fetch', '--quiet', '--no-tags', remote, branch],
      FETCH_TIMEOUT_MS,
    );
    if (fetch.code !== 0) {
      throw new Error(
        `git could not fetch ${branch} from ${remote} in ${dir}: ${gitReason(fetch.stderr) || `exit code ${fetch.code}`}`,
      );
    }
    // FETCH_HEAD is what this fetch brought, whatever the remote's refspecs map it to.
    const newest = (await this.ok(dir, ['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
    if (!COMMIT.test(newest))
      throw new Error(`git named no commit for ${remote}/${branch} in ${dir}`);
    if (newest === commit) return { behind: 0, newest, subject: '' };
    const counted = await this.run(dir, ['rev-list', '--count', `${commit}..${newest}`]);
    // The built commit is not in this history (rewritten, or never pushed): say one change.
    const behind = counted.code === 0 ? Number(counted.stdout.trim()) || 0 : 1;
    const subject = (await this.ok(dir, ['log', '-1', '--format=%s', newest])).trim().slice(0, 200);
    return { behind, newest, subject };
  }

  private async ok(dir: string, args: string[]): Promise<string> {
    const result = await this.run(dir, args);
    if (result.code !== 0) {
      throw new Error(
        `git ${args[0]} failed in ${dir}: ${gitReason(result.stderr) || `exit code ${result.code}`}`,
      );
    }
    return result.stdout;
  }

  private run(dir: string, args: string[], timeout = READ_TIMEOUT_MS): Promise<GitResult> {
    const full = [
      '-C',
      dir,
      '-c',
      'core.hooksPath=/dev/null',
      '-c',
      'core.fsmonitor=false',
      ...args,
    ];
    return new Promise((resolve) => {
      execFile(
        this.git,
        full,
        {
          timeout,
          maxBuffer: 1024 * 1024,
          env: {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            GIT_ASKPASS: '',
            SSH_ASKPASS: '',
            LC_ALL: 'C',
          },
        },
        (error, stdout, stderr) => {
          const failure = error as
            (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
          if (failure?.code === 'ENOENT') {
            resolve({ code: 127, stdout: '', stderr: 'git is not installed on this machine' });
            return;
          }
          if (failure?.killed) {
            resolve({ code: 124, stdout: '', stderr: `no answer within ${timeout / 1000} s` });
            return;
          }
          resolve({
            code: typeof failure?.code === 'number' ? failure.code : failure ? 1 : 0,
            stdout,
            stderr,
          });
        },
      );
    });
  }
}

/** git's own reason: its first `fatal:`/`error:` line (later lines are advice), else its last line. */
function gitReason(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const reason = lines.find((line) => /^(?:fatal|error):/.test(line));
  return (reason ?? lines.at(-1) ?? '').replace(/^(?:fatal|error):\s*/, '');
}
