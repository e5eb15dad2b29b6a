import type { ApiClient } from '@contract';
import { useAlertSettingsStore } from '../../state/settings-store-alerts';
import { useLoad } from '../../state/use-load';
import { AlertChannelsForm } from './AlertChannelsForm';
import { AlertRulesForm } from './AlertRulesForm';

/** Alert rules and notification channels. */
export function AlertsPanel({ client }: { client: ApiClient }) {
  const load = useAlertSettingsStore((s) => s.load);
  const loadAlerts = useAlertSettingsStore((s) => s.loadAlerts);
  useLoad(client, loadAlerts);
  return (
    <section
      className="card"
      aria-labelledby="alerts-settings-title"
      aria-busy={load.state === 'loading'}
    >
      <h2 id="alerts-settings-title">Alerts</h2>
      {load.state === 'error' && (
        <p className="error" role="alert">
          The alert settings could not be read: {load.error}
        </p>
      )}
      {load.state === 'ready' && (
        <>
          <AlertRulesForm client={client} />
          <AlertChannelsForm client={client} />
        </>
      )}
    </section>
  );
}
