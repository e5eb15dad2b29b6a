import type { FormEvent } from 'react';
import type { ApiClient } from '@contract';
import { useAlertSettingsStore, type ChannelForm } from '../../state/settings-store-alerts';
import { useFields } from '../../state/use-fields';
import { FormFooter } from '../ui/FormFooter';
import { InputField } from '../ui/InputField';
import { SelectField } from '../ui/SelectField';

const KINDS: { value: ChannelForm['kind']; label: string }[] = [
  { value: 'generic', label: 'Webhook (JSON)' },
  { value: 'ntfy', label: 'ntfy' },
  { value: 'discord', label: 'Discord' },
];

const SEVERITIES: { value: ChannelForm['minSeverity']; label: string }[] = [
  { value: 'info', label: 'Info and up' },
  { value: 'warning', label: 'Warnings and up' },
  { value: 'critical', label: 'Critical only' },
];

/** Webhook channels (generic JSON, ntfy, Discord): add, edit, remove, save, send a test. */
export function AlertChannelsForm({ client }: { client: ApiClient }) {
  const {
    channels,
    channelErrors: errors,
    channelsSaved: saved,
    tests,
    addChannel,
    setChannel,
    removeChannel,
    saveChannels,
    testChannel,
  } = useFields(useAlertSettingsStore, [
    'channels',
    'channelErrors',
    'channelsSaved',
    'tests',
    'addChannel',
    'setChannel',
    'removeChannel',
    'saveChannels',
    'testChannel',
  ]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void saveChannels(client);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="channels-title">
      <h3 id="channels-title">Where to send alerts</h3>
      {channels.length === 0 && <p>No channels: alerts show here and on the desktop only.</p>}
      {channels.map((channel, index) => {
        const error = (key: string) => errors[`channels.${index}.${key}`];
        const id = (key: string) => `channel-${index}-${key}`;
        const test = tests[channel.id];
        return (
          <fieldset key={index} className="choices channel" data-channel={index}>
            <legend>{channel.name || 'New channel'}</legend>
            <div className="field-row">
              <InputField
                id={id('name')}
                label="Name"
                error={error('name')}
                value={channel.name}
                onValue={(name) => setChannel(index, { name })}
              />
              <InputField
                id={id('id')}
                label="Short id"
                hint="Lowercase letters, digits, dashes"
                error={error('id')}
                disabled={channel.saved}
                value={channel.id}
                onValue={(value) => setChannel(index, { id: value })}
              />
              <SelectField
                id={id('kind')}
                label="Kind"
                error={error('kind')}
                value={channel.kind}
                options={KINDS}
                onValue={(kind) => setChannel(index, { kind })}
              />
            </div>
            <InputField
              id={id('url')}
              label="Webhook address"
              hint={
                channel.saved
                  ? `Stored (${channel.urlHint ?? 'hidden'}); leave empty to keep it.`
                  : 'http:// or https://'
              }
              error={error('url')}
              type="url"
              autoComplete="off"
              value={channel.url}
              onValue={(url) => setChannel(index, { url })}
            />
            <div className="field-row">
              <SelectField
                id={id('minSeverity')}
                label="Send alerts from"
                error={error('minSeverity')}
                value={channel.minSeverity}
                options={SEVERITIES}
                onValue={(minSeverity) => setChannel(index, { minSeverity })}
              />
              <label className="choice">
                <input
                  type="checkbox"
                  checked={channel.enabled}
                  onChange={(e) => setChannel(index, { enabled: e.target.checked })}
                />
                <span>On</span>
              </label>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={channel.sendResolved}
                  onChange={(e) => setChannel(index, { sendResolved: e.target.checked })}
                />
                <span>Also when resolved</span>
              </label>
            </div>
            {channel.status?.failing && (
              <p className="error">
                Failing: {channel.status.lastError ?? 'the last delivery failed'}
              </p>
            )}
            <div className="wizard-actions">
              {channel.saved && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void testChannel(client, channel.id)}
                >
                  Send a test<span className="visually-hidden"> to {channel.name}</span>
                </button>
              )}
              <button type="button" className="secondary" onClick={() => removeChannel(index)}>
                Remove<span className="visually-hidden"> {channel.name}</span>
              </button>
              {test && (
                <span className={test.ok ? 'verdict-ok' : 'error'} role="status">
                  {test.ok ? 'Test delivered.' : `Test failed: ${test.error ?? 'unknown reason'}`}
                </span>
              )}
            </div>
          </fieldset>
        );
      })}
      <FormFooter error={errors['(channels)']} saved={saved} submit="Save the channels">
        <button type="button" className="secondary" onClick={addChannel}>
          Add a channel
        </button>
      </FormFooter>
    </form>
  );
}
