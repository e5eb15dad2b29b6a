import { create } from 'zustand';
import type { ApiClient, SecretInfo, SettingsPreview } from '../../../server/src/contract/index.js';
import {
  EMPTY_FORM,
  fieldErrorsOf,
  fromSettings,
  messageOf,
  toChanges,
  type FieldErrors,
  type SettingsFormValues,
} from './settings-store-form';
import { checkPortsNow, debounced, takenPortErrors, type PortChecks } from './port-checks';
import { follow, IDLE, type JobRun } from './settings-store-job';

const afterTyping = debounced(400);
let portRequest = 0;

interface SettingsState {
  load: { state: 'idle' | 'loading' | 'ready' | 'error'; error?: string };
  values: SettingsFormValues;
  errors: FieldErrors;
  /** What applying the current values would change; cleared by any edit. */
  preview?: SettingsPreview | undefined;
  previewing: boolean;
  /** The server's live verdict on the ports in the form (the stack's own ports count as free). */
  ports: PortChecks;
  apply: JobRun;
  secrets: { state: 'idle' | 'loading' | 'ready' | 'error'; list: SecretInfo[]; error?: string };
  /** The secret whose rotation awaits confirmation. */
  confirmRotate?: string | undefined;
  graceDays: string;
  rotation: JobRun & { name?: string };
  loadSettings: (client: ApiClient) => Promise<void>;
  set: <K extends keyof SettingsFormValues>(field: K, value: SettingsFormValues[K]) => void;
  /** Checks the ports in the form after a pause in typing. */
  checkPorts: (client: ApiClient) => void;
  refreshPorts: (client: ApiClient) => Promise<PortChecks>;
  previewChanges: (client: ApiClient) => Promise<void>;
  applyChanges: (client: ApiClient) => Promise<void>;
  loadSecrets: (client: ApiClient) => Promise<void>;
  askRotate: (name: string | undefined) => void;
  setGraceDays: (days: string) => void;
  rotate: (client: ApiClient) => Promise<void>;
}

export const useSettingsStore = create<SettingsState>((set, get) => ({
  load: { state: 'idle' },
  values: EMPTY_FORM,
  errors: {},
  previewing: false,
  ports: { checking: false },
  apply: IDLE,
  secrets: { state: 'idle', list: [] },
  graceDays: '7',
  rotation: IDLE,
  loadSettings: async (client) => {
    set({ load: { state: 'loading' } });
    try {
      const stored = await client.settings();
      set({
        load: { state: 'ready' },
        values: fromSettings(stored),
        errors: {},
        preview: undefined,
      });
    } catch (error) {
      set({ load: { state: 'error', error: messageOf(error) } });
    }
  },
  set: (field, value) => {
    const errors = Object.fromEntries(
      Object.entries(get().errors).filter(
        ([key]) => !(key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}-`)),
      ),
    );
    set({ values: { ...get().values, [field]: value }, errors, preview: undefined });
  },
  checkPorts: (client) => {
    set({ ports: { ...get().ports, checking: true } });
    afterTyping(() => void get().refreshPorts(client));
  },
  refreshPorts: async (client) => {
    const request = ++portRequest;
    const { ports } = await checkPortsNow(client, get().values);
    if (request === portRequest) set({ ports });
    return ports;
  },
  previewChanges: async (client) => {
    const { values } = get();
    const { changes, errors } = toChanges(values, { clear: true });
    if (Object.keys(errors).length > 0) {
      set({ errors, preview: undefined });
      return;
    }
    set({ previewing: true, apply: IDLE });
    // A port another program holds would fail the apply and roll it back: refused here.
    const taken = takenPortErrors(await get().refreshPorts(client), values);
    if (Object.keys(taken).length > 0) {
      set({ previewing: false, preview: undefined, errors: taken });
      return;
    }
    try {
      const preview = await client.settingsPreview({ changes });
      set({ previewing: false, preview, errors: {} });
    } catch (error) {
      set({
        previewing: false,
        preview: undefined,
        errors: fieldErrorsOf(error) ?? { '(config)': messageOf(error) },
      });
    }
  },
  applyChanges: async (client) => {
    const { values } = get();
    const { changes } = toChanges(values, { clear: true });
    const taken = takenPortErrors(await get().refreshPorts(client), values);
    if (Object.keys(taken).length > 0) {
      set({ preview: undefined, errors: taken });
      return;
    }
    set({ apply: { phase: 'running' } });
    try {
      await follow(
        client,
        () => client.settingsApply({ changes }),
        (apply) => set({ apply }),
      );
      // What is in force now: the new values, or after a rollback the old ones, never the refused
      // ones (Plex values are secrets: the fields empty again).
      const stored = await client.settings();
      set({ values: fromSettings(stored), preview: undefined });
      void get().refreshPorts(client);
    } catch (error) {
      set({
        apply: { phase: 'failed', error: messageOf(error) },
        errors: fieldErrorsOf(error) ?? {},
      });
    }
  },
  loadSecrets: async (client) => {
    set({ secrets: { ...get().secrets, state: 'loading' } });
    try {
      set({ secrets: { state: 'ready', list: await client.secrets() } });
    } catch (error) {
      set({ secrets: { state: 'error', list: [], error: messageOf(error) } });
    }
  },
  askRotate: (name) => set({ confirmRotate: name, graceDays: '7' }),
  setGraceDays: (graceDays) => set({ graceDays }),
  rotate: async (client) => {
    const name = get().confirmRotate;
    if (!name) return;
    const days = get().graceDays.trim();
    set({ confirmRotate: undefined, rotation: { phase: 'running', name } });
    try {
      await follow(
        client,
        () =>
          client.rotateSecret({
            name,
            ...(name === 'jwt_secret' && /^[0-9]+$/.test(days) ? { graceDays: Number(days) } : {}),
          }),
        (run) => set({ rotation: { ...run, name } }),
      );
    } catch (error) {
      set({ rotation: { phase: 'failed', name, error: messageOf(error) } });
    }
    await get().loadSecrets(client);
  },
}));
