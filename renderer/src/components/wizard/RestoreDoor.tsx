import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../../../../server/src/contract/index.js';
import { useBackupsStore } from '../../state/backups-store';
import { useWizardStore } from '../../state/wizard-store';
import { RestorePanel } from '../backups/RestorePanel';
import { Field } from '../settings/Field';

/** The second door: a backup file from another computer and its recovery key, then the restore. */
export function RestoreDoor({ client }: { client: ApiClient }) {
  const chooseDoor = useWizardStore((s) => s.chooseDoor);
  const restore = useBackupsStore((s) => s.restore);
  const prepareRestore = useBackupsStore((s) => s.prepareRestore);
  const cancelRestore = useBackupsStore((s) => s.cancelRestore);
  const [file, setFile] = useState('');
  const [recoveryKey, setRecoveryKey] = useState('');
  const errors = restore?.errors ?? {};

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void prepareRestore(client, { file: file.trim(), recoveryKey: recoveryKey.trim() }, file);
  };
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
        need the backup file, copied to this computer, and the recovery key shown when that
        MediaNest was installed.
      </p>
      <form onSubmit={submit} noValidate>
        <Field
          id="file"
          label="Backup file"
          hint="Its full path on this computer, such as /home/me/medianest-20260101-020000-daily.mnbackup"
          error={errors.file ?? errors.id}
        >
          {(aria) => (
            <input
              {...aria}
              spellCheck={false}
              value={file}
              onChange={(e) => setFile(e.target.value)}
            />
          )}
        </Field>
        <Field
          id="recoveryKey"
          label="Recovery key"
          hint="The groups of letters and digits, with or without the dashes."
          error={errors.recoveryKey}
        >
          {(aria) => (
            <input
              {...aria}
              autoComplete="off"
              spellCheck={false}
              value={recoveryKey}
              onChange={(e) => setRecoveryKey(e.target.value)}
            />
          )}
        </Field>
        {(errors['(restore)'] ?? errors['(config)']) && (
          <p className="error" role="alert">
            {errors['(restore)'] ?? errors['(config)']}
          </p>
        )}
        <div className="wizard-actions">
          <button type="button" className="secondary" onClick={back}>
            Back
          </button>
          <button type="submit" disabled={restore?.checking}>
            {restore?.checking ? 'Reading the backup…' : 'Check this backup'}
          </button>
        </div>
      </form>
    </section>
  );
}
