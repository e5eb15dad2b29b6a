import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { useWizardStore } from '../../state/wizard-store';
import { RestoreFromFile } from '../recovery/RestoreFromFile';
import { RestorePanel } from '../recovery/RestorePanel';

/** The second door: a backup file from another computer and its recovery key, then the restore. */
export function RestoreDoor({ client }: { client: ApiClient }) {
  const chooseDoor = useWizardStore((s) => s.chooseDoor);
  const restore = useBackupsStore((s) => s.restore);
  const cancelRestore = useBackupsStore((s) => s.cancelRestore);
  const back = () => {
    cancelRestore();
    chooseDoor('choose');
  };
  if (restore?.preflight) {
    return (
      <>
        <RestorePanel client={client} />
        {restore.run.phase === 'succeeded' && (
          <p>
            <a className="button" href="/">
              Go to the dashboard
            </a>
          </p>
        )}
      </>
    );
  }
  return (
    <section className="card" aria-labelledby="restore-door-title">
      <h2 id="restore-door-title">Restore from a backup</h2>
      <p>
        Bring back MediaNest from a backup made on another computer (or before a reinstall). You
        need the backup file (on this computer, or a USB disk) and the recovery key shown when that
        MediaNest was installed.
      </p>
      <RestoreFromFile client={client} keyRequired>
        <button type="button" className="secondary" onClick={back}>
          Back
        </button>
      </RestoreFromFile>
    </section>
  );
}
