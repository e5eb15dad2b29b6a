import { useEffect, type FormEvent } from 'react';
import type { ApiClient } from '@contract';
import { useSettingsStore } from '../../state/settings-store';
import { useLoad } from '../../state/use-load';
import { useFields } from '../../state/use-fields';
import { AddressFields } from './AddressFields';
import { EnvironmentFields } from './EnvironmentFields';
import { JobStatus } from '../JobStatus';
import { PlexFields } from './PlexFields';
import { PortFields } from './PortFields';
import { ResourceFields } from './ResourceFields';
import { SettingsPreviewPanel } from './SettingsPreviewPanel';
import { DataFields, ImageFields } from './StorageFields';

/** Every stack setting; preview first, then apply as a job that rolls back when it fails. */
export function SettingsForm({ client }: { client: ApiClient }) {
  const {
    load,
    values,
    errors,
    preview,
    previewing,
    apply,
    set: setValue,
    loadSettings,
    previewChanges,
    applyChanges,
    ports,
    checkPorts,
  } = useFields(useSettingsStore, [
    'load',
    'values',
    'errors',
    'preview',
    'previewing',
    'apply',
    'set',
    'loadSettings',
    'previewChanges',
    'applyChanges',
    'ports',
    'checkPorts',
  ]);

  useLoad(client, loadSettings);
  useEffect(() => {
    if (load.state === 'ready') checkPorts(client);
  }, [load.state, values.httpPort, values.httpsPort, checkPorts, client]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void previewChanges(client);
  };
  const props = { values, errors, onChange: setValue, editing: true };
  const busy = apply.phase === 'running';
  return (
    <section
      className="card"
      aria-labelledby="stack-settings-title"
      aria-busy={load.state === 'loading'}
    >
      <h2 id="stack-settings-title">Stack settings</h2>
      {load.state === 'error' && (
        <p className="error" role="alert">
          The settings could not be read: {load.error}
          {load.retrying ? ' Trying again by itself…' : ''}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <fieldset disabled={busy || load.state !== 'ready'} className="plain">
          <EnvironmentFields {...props} />
          <AddressFields {...props} />
          <PortFields {...props} ports={ports} />
          <DataFields {...props} />
          <ImageFields {...props} client={client} />
          <PlexFields {...props} />
          <ResourceFields {...props} />
        </fieldset>
        {errors['(config)'] && (
          <p className="error" role="alert">
            {errors['(config)']}
          </p>
        )}
        <div className="wizard-actions">
          <button type="submit" disabled={busy || previewing || load.state !== 'ready'}>
            {previewing ? 'Working out the changes…' : 'Preview changes'}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void loadSettings(client)}
          >
            Discard my edits
          </button>
        </div>
      </form>
      {preview && <SettingsPreviewPanel preview={preview} />}
      {preview && apply.phase !== 'running' && (
        <button type="button" onClick={() => void applyChanges(client)}>
          Apply these changes
        </button>
      )}
      <JobStatus run={apply} success="The new settings are applied and every service is back up." />
    </section>
  );
}
