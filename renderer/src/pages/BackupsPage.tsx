import { useEffect } from 'react';
import { BackupList } from '../components/backups/BackupList';
import { BackupNowCard } from '../components/backups/BackupNowCard';
import { RecoveryKeyPanel } from '../components/recovery/RecoveryKeyPanel';
import { RestoreFromFileCard } from '../components/recovery/RestoreFromFile';
import { RestorePanel } from '../components/recovery/RestorePanel';
import { ScheduleForm } from '../components/backups/ScheduleForm';
import '../components/backups/backups.css';
import { useAppStore } from '../state/app-store';
import { useBackupsStore } from '../state/backups-store';
import './first-run.css';
import './settings.css';

/** `/backups`: back up now, the list with states, verify and restore, schedule, storage. */
export function BackupsPage() {
  const client = useAppStore((s) => s.client);
  const load = useBackupsStore((s) => s.load);
  const refresh = useBackupsStore((s) => s.refresh);

  useEffect(() => {
    if (client) void refresh(client);
  }, [client, refresh]);

  if (!client) return <p role="status">Connecting to the server…</p>;
  return (
    <>
      <h1 className="page-title">Backups</h1>
      {load.state === 'error' && (
        <p className="card error" role="alert">
          The backups could not be listed: {load.error}
        </p>
      )}
      <RecoveryKeyPanel client={client} />
      <BackupNowCard client={client} />
      <RestorePanel client={client} />
      <BackupList client={client} />
      <RestoreFromFileCard client={client} />
      <ScheduleForm client={client} />
    </>
  );
}
