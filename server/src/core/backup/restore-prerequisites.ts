/**
 * What a restore (and the clean-up of an interrupted one) needs running before it reads or writes
 * anything live: PostgreSQL (the safety snapshot's dump, the staging database, the swap by rename)
 * and Redis (the safety snapshot's cache). After a `down`, a `stop` or a reboot they may be gone or
 * stopped; the user should not have to run `init` and `up` by hand first, so they are started here,
 * health-gated, and only them: the app itself stays down until the restored data is in place.
 */
import type { BackupProgress } from './backup-service.js';
import type { StackControl } from './ports.js';
import type { StackState } from './stack-state.js';

/** The services a restore reads and writes through; started (created when missing) first. */
export const RESTORE_PREREQUISITES = ['postgres', 'redis'];

/** The progress step shown while they start: the UI counts it as part of the first step. */
export const STARTING_PREREQUISITES = 'Starting PostgreSQL and Redis';

/**
 * Starts PostgreSQL and Redis (a no-op when both already run healthy), then checks PostgreSQL
 * answers. Rejects with the reason when either cannot start.
 */
export async function startRestorePrerequisites(
  stack: StackControl,
  state: StackState,
  progress: BackupProgress = () => undefined,
): Promise<void> {
  progress(STARTING_PREREQUISITES, 0);
  await stack.start(RESTORE_PREREQUISITES);
  await state.postgresReady('restore_failed');
}
