import { messageOf } from '@contract';
import { create } from 'zustand';
import type { ApiClient, SecretInfo, SettingsPreview } from '@contract';
import {
  EMPTY_FORM,
  fieldErrorsOf,
  fromSettings,
  toChanges,
  type FieldErrors,
  type SettingsFormValues,
} from './settings-store-form';
import { checkPortsNow, debounced, takenPortErrors, type PortChecks } from './port-checks';
import { Superseded, withRetry } from './retry';
import { follow } from './follow-job';
import { IDLE, type JobRun } from './job-view';

const afterTyping = debounced(400);
let portRequest = 0;
// The latest load of each kind: an older one still retrying stops when a newer one starts.
let settingsLoad = 0;
let secretsLoad = 0;

interface SettingsState {
  /** `error` while a failed load is retried (it recovers by itself once the server answers). */
  load: { state: 'idle' | 'loading' | 'ready' | 'error'; error?: string; retrying?: boolean };
  values: SettingsFormValues;
  errors: FieldErrors;
  /** What applying the current values would change; cleared by any edit. */
  preview?: SettingsPreview | undefined;
  previewing: boolean;
  /** The server's live verdict on the ports in the form (the stack's own ports count as free). */
  ports: PortChecks;
  apply: JobRun;
  secrets: {
    state: 'idle' | 'loading' | 'ready' | 'error';
    list: SecretInfo[];
    error?: string;
    /** A failed load being retried: the list shown is the last one read. */
    retrying?: boolean;
  };
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
    const mine = ++settingsLoad;
    set({ load: { state: 'loading' } });
    try {
      const stored = await withRetry(() => client.settings(), {
        superseded: () => mine !== settingsLoad,
        onRetry: (error) =>
          set({ load: { state: 'error', error: messageOf(error), retrying: true } }),
      });
      set({
        load: { state: 'ready' },
        values: fromSettings(stored),
        errors: {},
        preview: undefined,
      });
    } catch (error) {
      if (!(error instanceof Superseded))
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
    const mine = ++secretsLoad;
    set({ secrets: { ...get().secrets, state: 'loading' } });
    try {
      const list = await withRetry(() => client.secrets(), {
        superseded: () => mine !== secretsLoad,
        // The last list stays in view while the server is retried (e.g. during a rotation).
        onRetry: (error) =>
          set({
            secrets: { ...get().secrets, state: 'error', error: messageOf(error), retrying: true },
          }),
      });
      set({ secrets: { state: 'ready', list } });
    } catch (error) {
      if (!(error instanceof Superseded))
        set({
          secrets: { ...get().secrets, state: 'error', error: messageOf(error), retrying: false },
        });
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
