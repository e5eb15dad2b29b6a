import { AlertList } from '../components/AlertList';
import { useLiveStore } from '../state/live-store';

/** Alerts raised since this window opened, newest first. */
export function AlertsPage() {
  const alerts = useLiveStore((s) => s.alerts);
  return (
    <section className="card" aria-labelledby="alerts-page-title">
      <h2 id="alerts-page-title">Alerts</h2>
      <p className="muted">Raised while this window was open, newest first.</p>
      <AlertList alerts={[...alerts].reverse()} empty="No alerts so far." />
    </section>
  );
}
