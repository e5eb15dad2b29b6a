import { AlertList } from '../components/AlertList';
import { useLiveStore } from '../state/live-store';

/** Alerts firing now, and the history (newest first). */
export function AlertsPage() {
  const firing = useLiveStore((s) => s.firing);
  const history = useLiveStore((s) => s.alertHistory);
  return (
    <>
      <section className="card" aria-labelledby="alerts-page-title">
        <h2 id="alerts-page-title">Alerts</h2>
        <h3>Firing now</h3>
        <AlertList alerts={firing} empty="Nothing needs your attention." />
      </section>
      <section className="card" aria-labelledby="alerts-history-title">
        <h2 id="alerts-history-title">History</h2>
        <AlertList alerts={history} empty="No alerts so far." />
      </section>
    </>
  );
}
