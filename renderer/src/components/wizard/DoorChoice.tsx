import { useWizardStore } from '../../state/wizard-store';

/** The two ways in: a fresh install, or bringing back a backup from another computer. */
export function DoorChoice() {
  const chooseDoor = useWizardStore((s) => s.chooseDoor);
  return (
    <section className="card doors" aria-labelledby="doors-title">
      <h2 id="doors-title">How would you like to start?</h2>
      <div className="door-list">
        <button type="button" className="door" onClick={() => chooseDoor('new')}>
          <strong>Set up a new MediaNest</strong>
          <span>A few questions, then everything is installed and started for you.</span>
        </button>
        <button type="button" className="door secondary" onClick={() => chooseDoor('restore')}>
          <strong>Restore from a backup</strong>
          <span>Bring back your library from a MediaNest backup file and its recovery key.</span>
        </button>
      </div>
    </section>
  );
}
