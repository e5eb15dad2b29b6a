/**
 * The clean-up of a restore or backup that was interrupted (a crash, a SIGKILL, a power cut), run
 * before every job that touches the stack or its data, from the CLI and from the server alike:
 * otherwise an `up` would start the stack over a half-swapped data folder and leave the restore's
 * staging and the previous data (a full copy) behind, until some backup verb happened to run.
 */
import { describeRecovery, type RecoveryOutcome } from './restore-service.js';

/**
 * The jobs (CLI verbs and server jobs) that touch the stack or its data, so run the clean-up
 * first. Image builds and loads, and verbs that only read, do not.
 */
export const KINDS_THAT_RECOVER: ReadonlySet<string> = new Set([
  'init',
  'install',
  'settings',
  'up',
  'down',
  'start',
  'stop',
  'restart',
  'backup',
  'prune',
  'restore',
  'verify',
  'rotate',
]);

export interface InterruptedWork {
  restore: { recover(): Promise<{ source: string; outcome: RecoveryOutcome } | undefined> };
  backups: { recover(): Promise<{ interrupted: string[] }> };
}

/** Settles whatever an interrupted job left; returns one line a user reads per thing it did. */
export async function recoverInterrupted(work: InterruptedWork): Promise<string[]> {
  const said: string[] = [];
  const recovered = await work.restore.recover();
  if (recovered) said.push(describeRecovery(recovered));
  const { interrupted } = await work.backups.recover();
  if (interrupted.length === 1) said.push('An interrupted backup was marked failed.');
  else if (interrupted.length > 1)
    said.push(`${interrupted.length} interrupted backups were marked failed.`);
  return said;
}
