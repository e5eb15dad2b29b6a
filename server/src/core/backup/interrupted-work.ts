/**
 * The clean-up of a restore or backup that was interrupted (a crash, a SIGKILL, a power cut), run
 * before every job that touches the stack or its data, from the CLI and from the server alike:
 * otherwise an `up` would start the stack over a half-swapped data folder and leave the restore's
 * staging and the previous data (a full copy) behind, until some backup verb happened to run.
 */

/**
 * What the start-up recovery did with an interrupted restore: its staging removed (nothing had
 * changed), its commit finished (the restored data had passed its health gate), or rolled back.
 */
export type RecoveryOutcome = 'discarded' | 'committed' | 'rolled-back';

/** How a recovery outcome reads in a log or on the command line. */
export function describeRecovery(recovered: { source: string; outcome: RecoveryOutcome }): string {
  switch (recovered.outcome) {
    case 'discarded':
      return `An interrupted restore (from ${recovered.source}) had changed nothing yet; its staging was removed.`;
    case 'committed':
      return `An interrupted restore (from ${recovered.source}) had already passed its health check; its commit was finished.`;
    case 'rolled-back':
      return `An interrupted restore (from ${recovered.source}) was rolled back.`;
  }
}

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
  'update',
]);

export interface InterruptedWork {
  restore: {
    recover(options?: {
      startApp?: boolean;
    }): Promise<{ source: string; outcome: RecoveryOutcome } | undefined>;
  };
  backups: { recover(): Promise<{ interrupted: string[] }> };
}

/**
 * Settles whatever an interrupted job left; returns one line a user reads per thing it did.
 * `updateFollows`: an interrupted update is settled next. A restore then was its rollback's (or a
 * manual rollback's), and the database it puts back is the one the update's new images made,
 * which the images now rendered may refuse to start on: the update's own rollback starts the app.
 */
export async function recoverInterrupted(
  work: InterruptedWork,
  options: { updateFollows?: boolean } = {},
): Promise<string[]> {
  const said: string[] = [];
  const recovered = await work.restore.recover({ startApp: options.updateFollows !== true });
  if (recovered) said.push(describeRecovery(recovered));
  const { interrupted } = await work.backups.recover();
  if (interrupted.length === 1) said.push('An interrupted backup was marked failed.');
  else if (interrupted.length > 1)
    said.push(`${interrupted.length} interrupted backups were marked failed.`);
  return said;
}
