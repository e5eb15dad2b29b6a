import { messageOf } from '@contract';
import { useState } from 'react';
import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { useFields } from '../../state/use-fields';

import { JobStatus } from '../JobStatus';
import { downloadBackup } from './download-backup';
import { bytes, STATE, when } from './format';
import { TableHead } from '../ui/TableHead';

const KIND = {
  manual: 'By hand',
  daily: 'Daily',
  weekly: 'Weekly',
  safety: 'Safety snapshot (before a restore or an update)',
} as const;

/** Every backup with its state (and why it failed), and what can be done with it. */
export function BackupList({ client }: { client: ApiClient }) {
  const {
    list,
    verify,
    backup: backupRun,
    restore,
    verifyBackup,
    prepareRestore,
  } = useFields(useBackupsStore, [
    'list',
    'verify',
    'backup',
    'restore',
    'verifyBackup',
    'prepareRestore',
  ]);
  const [downloadError, setDownloadError] = useState<string | undefined>();
  const busy =
    verify.phase === 'running' || backupRun.phase === 'running' || restore?.run.phase === 'running';

  return (
    <section className="card" aria-labelledby="backup-list-title">
      <h2 id="backup-list-title">Your backups</h2>
      {list.length === 0 ? (
        <p>No backups yet. Make the first one with “Back up now”.</p>
      ) : (
        <table className="backups">
          <TableHead columns={['Made', 'Why', 'State', 'Size']} actions />
          <tbody>
            {list.map((backup) => {
              const state = STATE[backup.state];
              const usable =
                backup.state !== 'failed' &&
                backup.state !== 'missing' &&
                backup.state !== 'running';
              const label = when(backup.createdAt);
              return (
                <tr key={backup.id} data-backup={backup.id} data-state={backup.state}>
                  <th scope="row">
                    {label}
                    <div className="muted">
                      <code>{backup.file}</code>
                    </div>
                  </th>
                  <td>{KIND[backup.kind]}</td>
                  <td>
                    <span className={`badge badge-${state.badge}`}>{state.label}</span>
                    {backup.verifiedAt && (
                      <div className="muted">checked {when(backup.verifiedAt)}</div>
                    )}
                    {backup.error && <div className="error">{backup.error.message}</div>}
                  </td>
                  <td>{backup.size > 0 ? bytes(backup.size) : '—'}</td>
                  <td className="actions">
                    {usable && (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy}
                          onClick={() => void verifyBackup(client, backup.id, false)}
                        >
                          Verify<span className="visually-hidden"> the backup of {label}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy}
                          onClick={() => void verifyBackup(client, backup.id, true)}
                        >
                          Test a restore<span className="visually-hidden"> of {label}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy}
                          onClick={() => void prepareRestore(client, { id: backup.id }, label)}
                        >
                          Restore<span className="visually-hidden"> the backup of {label}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => {
                            setDownloadError(undefined);
                            downloadBackup(backup).catch((error: unknown) =>
                              setDownloadError(`${backup.file}: ${messageOf(error)}`),
                            );
                          }}
                        >
                          Download<span className="visually-hidden"> the backup of {label}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {downloadError && (
        <p className="error" role="alert">
          The download failed: {downloadError}
        </p>
      )}
      <JobStatus run={verify} success="The backup checked out: every part is intact." />
    </section>
  );
}
