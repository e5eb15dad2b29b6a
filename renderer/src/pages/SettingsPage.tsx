import { AboutPanel } from '../components/settings/AboutPanel';
import { AlertsPanel } from '../components/settings/AlertsPanel';
import { AppliancesPanel } from '../components/settings/AppliancesPanel';
import { DevicesPanel } from '../components/settings/DevicesPanel';
import { SecretsPanel } from '../components/settings/SecretsPanel';
import { SettingsForm } from '../components/settings/SettingsForm';
import { useAppStore } from '../state/app-store';
import './first-run.css';
import './settings.css';

/**
 * `/settings`: the stack's settings (previewed, then applied), its secrets, alerts, paired devices,
 * the appliances this computer manages, and about.
 */
export function SettingsPage() {
  const client = useAppStore((s) => s.client);
  if (!client) return <p role="status">Connecting to the server…</p>;
  return (
    <>
      <h1 className="page-title">Settings</h1>
      <SettingsForm client={client} />
      <SecretsPanel client={client} />
      <AlertsPanel client={client} />
      <DevicesPanel client={client} />
      <AppliancesPanel />
      <AboutPanel />
    </>
  );
}
