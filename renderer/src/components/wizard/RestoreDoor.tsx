import { useWizardStore } from '../../state/wizard-store';

/** Restore from a backup file: waits for the backup API to be served. */
export function RestoreDoor() {
  const chooseDoor = useWizardStore((s) => s.chooseDoor);
  return (
    <section className="card" aria-labelledby="restore-title">
      <h2 id="restore-title">Restore from a backup</h2>
      <p>
        This server cannot restore backups yet. Set up a new MediaNest instead, or update the app.
      </p>
      <button type="button" className="secondary" onClick={() => chooseDoor('choose')}>
        Back
      </button>
    </section>
  );
}
