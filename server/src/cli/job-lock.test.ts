import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobLockPath } from '../infra/fs/file-job-lock.js';
import { writeLockHolder } from '../infra/fs/job-lock.test-support.js';
import { parseCommand } from './args.js';
import { jobKindOf } from './job-lock.js';
import { NO_ENGINE, runCaptured } from './run-cli.test-support.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-cli-lock-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

// No engine: a verb that got past the lock would fail on the engine, not with "Busy".
const run = (argv: string[]) =>
  runCaptured([...argv, '--home', home], { HOME: home, ...NO_ENGINE });

/** The server of this home running a scheduled backup (a live process: this one). */
function serverRunsBackup(): string {
  return writeLockHolder(home, {
    owner: 'server',
    jobId: 'a1b2c3d4-job',
    startedAt: '2026-11-26T02:00:00.000Z',
  });
}

const BUSY =
  'Busy: the server is running a backup (job a1b2c3d4-job, started 2026-11-26 02:00:00 UTC); try again when it has finished.';

describe('CLI verbs and the job lock', () => {
  it.each([
    ['up'],
    ['down'],
    ['restart', 'redis'],
    ['backup'],
    ['backups', 'prune'],
    ['restore', 'abcd1234', '--yes'],
    ['verify', 'abcd1234', '--restore-test'],
    ['secrets', 'rotate', 'redis_password'],
    ['init', '--env', 'test'],
  ])('%s is refused with exit 1 naming the running job, and changes nothing', async (...argv) => {
    const lock = serverRunsBackup();
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`medianest-appliance: ${BUSY}`);
    expect(existsSync(join(home, 'stack'))).toBe(false);
    expect(readFileSync(jobLockPath(home), 'utf8')).toBe(lock);
  });

  it('says so in the JSON error with --json, with who holds the lock', async () => {
    serverRunsBackup();
    const r = await run(['down', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'busy',
        message: BUSY,
        details: {
          owner: 'server',
          kind: 'backup',
          jobId: 'a1b2c3d4-job',
          startedAt: '2026-11-26T02:00:00.000Z',
        },
      },
    });
  });

  it('read-only verbs run during a job', async () => {
    serverRunsBackup();
    const r = await run(['backups']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No backups yet');
  });

  it('a mutating verb leaves no lock behind, even when it fails', async () => {
    const r = await run(['down']);
    // No engine here: the verb ran (past the lock) and failed on the engine.
    expect(r.stderr).not.toContain('Busy');
    expect(existsSync(jobLockPath(home))).toBe(false);
  });

  it('only the verbs that change the stack, its data or backups take it', () => {
    const kind = (...argv: string[]) => jobKindOf(parseCommand(argv));
    expect(kind('status')).toBeUndefined();
    expect(kind('backups')).toBeUndefined();
    expect(kind('verify', 'abcd')).toBeUndefined();
    expect(kind('secrets', 'list')).toBeUndefined();
    expect(kind('logs')).toBeUndefined();
    expect(kind('doctor')).toBeUndefined();
    expect(kind('verify', 'abcd', '--restore-test')).toBe('verify');
    expect(kind('backups', 'prune')).toBe('prune');
    expect(kind('secrets', 'rotate', 'jwt_secret')).toBe('rotate');
    expect(kind('stop', 'nginx')).toBe('stop');
  });
});
