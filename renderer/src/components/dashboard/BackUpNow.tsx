import { useAppStore } from '../../state/app-store';
import { useBackupsStore } from '../../state/backups-store';
import { JobStatus } from '../JobStatus';

/** "Back up now" where the user looks first; the Backups page has the rest. */
export function BackUpNowButton({ disabled }: { disabled: boolean }) {
  const client = useAppStore((s) => s.client);
  const run = useBackupsStore((s) => s.backup);
  const backUpNow = useBackupsStore((s) => s.backUpNow);
  return (
    <button
      type="button"
      className="secondary"
      disabled={disabled || !client || run.phase === 'running'}
      onClick={() => client && void backUpNow(client)}
    >
      {run.phase === 'running' ? 'Backing up…' : 'Back up now'}
    </button>
  );
}

/**
 * A backup that could not even start (another job runs). Once it runs, the dashboard's job line
 * follows it like any other job, so it is not shown twice.
 */
export function BackUpNowStatus() {
  const run = useBackupsStore((s) => s.backup);
  return run.phase === 'failed' && !run.job ? <JobStatus run={run} success="" /> : null;
}
