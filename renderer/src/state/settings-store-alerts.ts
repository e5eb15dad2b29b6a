import { messageOf } from '@contract';
import { create } from 'zustand';
import type {
  AlertSettings,
  ApiClient,
  ChannelInput,
  ChannelTestResult,
  ChannelView,
} from '@contract';
import { fieldErrorsOf, type FieldErrors } from './settings-store-form';

/** Rules as typed: `crashLoop.restarts` -> "3", `crashLoop.enabled` -> true. */
export type RuleForm = Record<string, string | boolean>;

/** A channel as edited: `url` empty keeps the stored one (never shown back). */
export interface ChannelForm extends Omit<ChannelInput, 'url'> {
  url: string;
  /** Already saved on the server (may be tested; its URL may be left empty). */
  saved: boolean;
  urlHint?: string;
  status?: ChannelView['status'];
}

function flatten(settings: AlertSettings): RuleForm {
  const form: RuleForm = {};
  for (const [rule, values] of Object.entries(settings)) {
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      form[`${rule}.${key}`] = typeof value === 'boolean' ? value : String(value);
    }
  }
  return form;
}

/** Numbers as typed; text that is no number goes as it is, for the server to name. */
function unflatten(form: RuleForm): Record<string, Record<string, unknown>> {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [path, value] of Object.entries(form)) {
    const [rule = '', key = ''] = path.split('.');
    const number = typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim());
    (settings[rule] ??= {})[key] = number ? Number(value) : value;
  }
  return settings;
}

const toForm = (view: ChannelView): ChannelForm => ({
  ...view,
  url: '',
  saved: true,
});

interface AlertsSettingsState {
  load: { state: 'idle' | 'loading' | 'ready' | 'error'; error?: string };
  rules: RuleForm;
  rulesErrors: FieldErrors;
  rulesSaved: boolean;
  channels: ChannelForm[];
  channelErrors: FieldErrors;
  channelsSaved: boolean;
  tests: Record<string, ChannelTestResult | { ok: false; error: string; at: string }>;
  loadAlerts: (client: ApiClient) => Promise<void>;
  setRule: (path: string, value: string | boolean) => void;
  saveRules: (client: ApiClient) => Promise<void>;
  addChannel: () => void;
  setChannel: (index: number, patch: Partial<ChannelForm>) => void;
  removeChannel: (index: number) => void;
  saveChannels: (client: ApiClient) => Promise<void>;
  testChannel: (client: ApiClient, id: string) => Promise<void>;
}

export const useAlertSettingsStore = create<AlertsSettingsState>((set, get) => ({
  load: { state: 'idle' },
  rules: {},
  rulesErrors: {},
  rulesSaved: false,
  channels: [],
  channelErrors: {},
  channelsSaved: false,
  tests: {},
  loadAlerts: async (client) => {
    set({ load: { state: 'loading' } });
    try {
      const [settings, channels] = await Promise.all([
        client.alertSettings(),
        client.alertChannels(),
      ]);
      set({ load: { state: 'ready' }, rules: flatten(settings), channels: channels.map(toForm) });
    } catch (error) {
      set({ load: { state: 'error', error: messageOf(error) } });
    }
  },
  setRule: (path, value) => {
    const rulesErrors = { ...get().rulesErrors };
    delete rulesErrors[path];
    set({ rules: { ...get().rules, [path]: value }, rulesErrors, rulesSaved: false });
  },
  saveRules: async (client) => {
    try {
      const saved = await client.updateAlertSettings(unflatten(get().rules));
      set({ rules: flatten(saved), rulesErrors: {}, rulesSaved: true });
    } catch (error) {
      set({ rulesErrors: fieldErrorsOf(error) ?? { '(rules)': messageOf(error) } });
    }
  },
  addChannel: () =>
    set({
      channels: [
        ...get().channels,
        {
          id: '',
          name: '',
          kind: 'generic',
          url: '',
          enabled: true,
          minSeverity: 'warning',
          sendResolved: true,
          saved: false,
        },
      ],
      channelsSaved: false,
    }),
  setChannel: (index, patch) => {
    const channels = get().channels.map((c, i) => (i === index ? { ...c, ...patch } : c));
    const prefix = `channels.${index}.`;
    const channelErrors = Object.fromEntries(
      Object.entries(get().channelErrors).filter(([key]) => !key.startsWith(prefix)),
    );
    set({ channels, channelErrors, channelsSaved: false });
  },
  removeChannel: (index) =>
    set({ channels: get().channels.filter((_, i) => i !== index), channelsSaved: false }),
  saveChannels: async (client) => {
    const channels = get().channels.map(({ url, saved: _s, urlHint: _h, status: _st, ...rest }) =>
      url.trim() === '' ? rest : { ...rest, url: url.trim() },
    );
    try {
      const saved = await client.updateAlertChannels({ channels });
      set({ channels: saved.map(toForm), channelErrors: {}, channelsSaved: true });
    } catch (error) {
      set({ channelErrors: fieldErrorsOf(error) ?? { '(channels)': messageOf(error) } });
    }
  },
  testChannel: async (client, id) => {
    try {
      const result = await client.testAlertChannel({ id });
      set({ tests: { ...get().tests, [id]: result } });
    } catch (error) {
      const failed = { ok: false as const, error: messageOf(error), at: new Date().toISOString() };
      set({ tests: { ...get().tests, [id]: failed } });
    }
  },
}));
