/**
 * The CLI's side of "one job at a time": a verb that changes the stack, its data or its backups
 * holds the home's job lock while it runs, the same lock the server's jobs take. When something
 * else holds it, the verb stops before doing anything, with a message naming what runs (exit 1).
 * Read-only verbs (status, backups, logs, doctor, secrets list, verify without --restore-test)
 * never take it, so they work during any job.
 */
import { KINDS_THAT_RECOVER } from '../core/backup/interrupted-work.js';
import { takeJobLock } from '../core/jobs/job-lock.js';
import type { HomePaths } from '../infra/fs/home.js';
import { FileJobLock, jobLockPath } from '../infra/fs/file-job-lock.js';
import type { ParsedCommand } from './args.js';
import type { CliIo } from './io.js';
import { recoverFirst } from './recover-first.js';

/** The job kind a verb runs under, or undefined when the verb only reads. */
export function jobKindOf(cmd: ParsedCommand): string | undefined {
  const [action] = cmd.positionals;
  switch (cmd.verb) {
    case 'init':
    case 'up':
    case 'down':
    case 'start':
    case 'stop':
    case 'restart':
    case 'backup':
    case 'restore':
      return cmd.verb;
    case 'backups':
      return action === 'prune' ? 'prune' : undefined;
    // A plain verify reads an archive; a restore test starts scratch containers on the engine.
    case 'verify':
      return cmd.values['restore-test'] === true ? 'verify' : undefined;
    case 'secrets':
      return action === 'rotate' ? 'rotate' : undefined;
    case 'update':
      return action === 'history' ? undefined : 'update';
    default:
      return undefined;
  }
}

/**
 * Runs `work` holding the job lock when `cmd` changes something; throws AppError 'busy' if held.
 * A verb that touches the stack or its data first settles an interrupted restore or backup,
 * saying on stderr what it did.
 */
export async function withJobLock<T>(
  paths: HomePaths,
  cmd: ParsedCommand,
  io: CliIo,
  work: () => Promise<T>,
): Promise<T> {
  const kind = jobKindOf(cmd);
  if (kind === undefined) return work();
  const held = takeJobLock(new FileJobLock(jobLockPath(paths.root)), { owner: 'cli', kind });
  try {
    if (KINDS_THAT_RECOVER.has(kind)) await recoverFirst(paths, io);
    return await work();
  } finally {
    held.release();
  }
}
