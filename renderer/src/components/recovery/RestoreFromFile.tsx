import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { Field } from '../ui/Field';
import { InputField } from '../ui/InputField';
import { bytes } from '../backups/format';
import { uploadBackup } from './upload-backup';

/**
 * A backup file picked on this computer (a copy kept on a USB disk, or made by another
 * MediaNest): sent to the server with its progress shown, then the same check and restore as a
 * listed backup. `keyRequired`: the first-run door, where there is no key of this home yet.
 */
export function RestoreFromFile({
  client,
  keyRequired = false,
  children,
}: {
  client: ApiClient;
  keyRequired?: boolean;
  /** Extra buttons (the wizard's Back). */
  children?: ReactNode;
}) {
  const upload = useBackupsStore((s) => s.upload);
  const restore = useBackupsStore((s) => s.restore);
  const restoreFromFile = useBackupsStore((s) => s.restoreFromFile);
  const [file, setFile] = useState<File | undefined>();
  const [recoveryKey, setRecoveryKey] = useState('');
  const [missing, setMissing] = useState(false);
  const sending = upload.phase === 'sending';
  const errors = restore?.errors ?? {};

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setMissing(!file);
    if (file) void restoreFromFile(client, file, recoveryKey, uploadBackup);
  };
  const percent = sending && upload.total > 0 ? Math.round((upload.sent / upload.total) * 100) : 0;
  return (
    <form onSubmit={submit} noValidate>
      <Field
        id="backupFile"
        label="Backup file"
        hint="A .mnbackup file on this computer, such as a copy you downloaded or one from another MediaNest."
        error={missing ? 'choose a backup file first' : (errors.upload ?? errors.file)}
      >
        {(aria) => (
          <input
            {...aria}
            type="file"
            accept=".mnbackup"
            disabled={sending}
            onChange={(e) => {
              setFile(e.target.files?.[0]);
              setMissing(false);
            }}
          />
        )}
      </Field>
      <InputField
        id="recoveryKey"
        label={
          keyRequired ? 'Recovery key' : 'Recovery key (only for a backup from another computer)'
        }
        hint="The groups of letters and digits shown when that MediaNest was installed, with or without the dashes."
        error={errors.recoveryKey}
        autoComplete="off"
        spellCheck={false}
        disabled={sending}
        value={recoveryKey}
        onValue={setRecoveryKey}
      />
      {sending && (
        <div className="upload-progress">
          <label htmlFor="upload-progress">
            Sending {upload.name}: {percent} % ({bytes(upload.sent)} of {bytes(upload.total)})
          </label>
          <progress id="upload-progress" max={upload.total} value={upload.sent} />
        </div>
      )}
      {upload.phase === 'failed' && (
        <p className="error" role="alert">
          {upload.name} could not be sent: {upload.error}
        </p>
      )}
      {(errors['(restore)'] ?? errors['(config)'] ?? errors.id) && (
        <p className="error" role="alert">
          {errors['(restore)'] ?? errors['(config)'] ?? errors.id}
        </p>
      )}
      <div className="wizard-actions">
        {children}
        <button type="submit" disabled={sending || restore?.checking}>
          {sending
            ? 'Sending the file…'
            : restore?.checking
              ? 'Reading the backup…'
              : 'Send and check this backup'}
        </button>
      </div>
    </form>
  );
}

/** The backups page's card: hidden while a listed backup's restore, or a file's, is under way. */
export function RestoreFromFileCard({ client }: { client: ApiClient }) {
  const restore = useBackupsStore((s) => s.restore);
  if (restore && (restore.preflight || restore.source.upload === undefined)) return null;
  return (
    <section className="card" aria-labelledby="restore-file-title">
      <h2 id="restore-file-title">Restore from a backup file</h2>
      <p>
        A backup kept elsewhere (a USB disk, another computer): pick it here. It is sent to
        MediaNest Appliance, checked, and you see what it holds before anything is changed.
      </p>
      <RestoreFromFile client={client} />
    </section>
  );
}
