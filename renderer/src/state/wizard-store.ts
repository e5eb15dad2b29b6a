import { messageOf } from '@contract';
import { create } from 'zustand';
import type { ApiClient, ServiceAction, ServiceStatus, StackProgress } from '@contract';
import {
  EMPTY_FORM,
  fieldErrorsOf,
  toChanges,
  type FieldErrors,
  type SettingsFormValues,
} from './settings-store-form';
import { useAppStore } from './app-store';
import { checkPortsNow, debounced, takenPortErrors, type PortChecks } from './port-checks';
import { runJob } from './follow-job';
import type { JobView } from './job-view';

export type { PortChecks } from './port-checks';

/** The wizard's steps, in order, with the settings each one asks for. */
export const WIZARD_STEPS = [
  { id: 'environment', title: 'How you will use it', fields: ['environment', 'profiles'] },
  { id: 'address', title: 'Address', fields: ['domain', 'email'] },
  { id: 'ports', title: 'Ports', fields: ['httpPort', 'httpsPort'] },
  { id: 'data', title: 'Data folder', fields: ['dataDir'] },
  { id: 'images', title: 'Images', fields: ['images', 'pullPolicy'] },
  { id: 'plex', title: 'Plex (optional)', fields: ['plex', 'plexClientId', 'plexClientSecret'] },
  { id: 'review', title: 'Review and install', fields: [] },
] as const;
export type WizardStepId = (typeof WIZARD_STEPS)[number]['id'];

export interface ImageProgress {
  status: string;
  layers: Record<string, { status: string; current?: number; total?: number }>;
}

export interface InstallState {
  phase: 'idle' | 'starting' | 'running' | 'succeeded' | 'failed';
  job?: JobView;
  images: Record<string, ImageProgress>;
  services: Record<string, { action: ServiceAction; detail?: string }>;
  /** Why it could not start or failed, in the server's words. */
  error?: string;
  /** The stack once the job ended. */
  status?: ServiceStatus[];
}

interface WizardState {
  door: 'choose' | 'new' | 'restore';
  step: number;
  values: SettingsFormValues;
  errors: FieldErrors;
  validating: boolean;
  ports: PortChecks;
  install: InstallState;
  chooseDoor: (door: WizardState['door']) => void;
  set: <K extends keyof SettingsFormValues>(field: K, value: SettingsFormValues[K]) => void;
  next: (client: ApiClient) => Promise<void>;
  back: () => void;
  goTo: (step: number) => void;
  /** Checks the ports typed, after a pause in typing. */
  checkPorts: (client: ApiClient) => void;
  /** Checks them now; the readiness checks on the page show these ports too. */
  refreshPorts: (client: ApiClient) => Promise<PortChecks>;
  startInstall: (client: ApiClient) => Promise<void>;
  /** After a failed install: back to the review, values kept. */
  resetInstall: () => void;
}

const PORT_CHECK_DELAY_MS = 400;
const afterTyping = debounced(PORT_CHECK_DELAY_MS);
let portRequest = 0;

const belongsTo = (field: string, fields: readonly string[]) =>
  fields.some((f) => field === f || field.startsWith(`${f}.`));

/** The settings the server refuses, or a message when it could not even be asked. */
async function validate(
  client: ApiClient,
  values: SettingsFormValues,
): Promise<{ errors: FieldErrors; failure?: string }> {
  const { changes, errors } = toChanges(values);
  if (Object.keys(errors).length > 0) return { errors };
  try {
    await client.settingsPreview({ changes });
    return { errors: {} };
  } catch (error) {
    const fields = fieldErrorsOf(error);
    return fields ? { errors: fields } : { errors: {}, failure: messageOf(error) };
  }
}

export const EMPTY_INSTALL: InstallState = { phase: 'idle', images: {}, services: {} };

/** One progress message of the install's stack operation folded into what the page shows. */
export function withProgress(install: InstallState, progress: StackProgress): InstallState {
  switch (progress.type) {
    case 'stack.image-pulling': {
      const image = install.images[progress.image] ?? { status: '', layers: {} };
      const layers = progress.layer
        ? {
            ...image.layers,
            [progress.layer]: {
              status: progress.status,
              ...(progress.current !== undefined ? { current: progress.current } : {}),
              ...(progress.total !== undefined ? { total: progress.total } : {}),
            },
          }
        : image.layers;
      return {
        ...install,
        images: { ...install.images, [progress.image]: { status: progress.status, layers } },
      };
    }
    case 'stack.service-progressed':
      return {
        ...install,
        services: {
          ...install.services,
          [progress.service]: {
            action: progress.action,
            ...(progress.detail ? { detail: progress.detail } : {}),
          },
        },
      };
    case 'stack.network-created':
      return install;
  }
}

export const useWizardStore = create<WizardState>((set, get) => ({
  door: 'choose',
  step: 0,
  values: EMPTY_FORM,
  errors: {},
  validating: false,
  ports: { checking: false },
  install: EMPTY_INSTALL,
  chooseDoor: (door) => set({ door, step: 0 }),
  set: (field, value) => {
    const errors = { ...get().errors };
    for (const key of Object.keys(errors)) {
      if (belongsTo(key, [field]) || (field === 'access' && (key === 'domain' || key === 'email')))
        delete errors[key];
      if (field.startsWith('plex') && key.startsWith('plex')) delete errors[key];
    }
    set({ values: { ...get().values, [field]: value }, errors });
  },
  next: async (client) => {
    const { step, values } = get();
    const current = WIZARD_STEPS[step];
    if (!current) return;
    set({ validating: true });
    const { errors: refused, failure } = await validate(client, values);
    // Ports another program holds stop the Ports step: the stack could not start on them.
    const taken =
      current.id === 'ports' ? takenPortErrors(await get().refreshPorts(client), values) : {};
    const errors = { ...taken, ...refused };
    // Only this step's fields stop it; later steps show their own messages when reached.
    const fields: readonly string[] = current.fields;
    const mine = Object.fromEntries(
      Object.entries(errors).filter(
        ([key]) => current.id === 'review' || belongsTo(key, fields) || key === '(config)',
      ),
    );
    if (failure) {
      set({ validating: false, errors: { '(config)': failure } });
    } else if (Object.keys(mine).length > 0) {
      set({ validating: false, errors: mine });
    } else {
      set({ validating: false, errors: {}, step: Math.min(step + 1, WIZARD_STEPS.length - 1) });
    }
  },
  back: () => set({ step: Math.max(get().step - 1, 0), errors: {} }),
  goTo: (step) => set({ step, errors: {} }),
  checkPorts: (client) => {
    set({ ports: { ...get().ports, checking: true } });
    afterTyping(() => void get().refreshPorts(client));
  },
  refreshPorts: async (client) => {
    const request = ++portRequest;
    const { ports, report } = await checkPortsNow(client, get().values);
    // An answer about ports typed since replaced is dropped.
    if (request === portRequest) {
      set({ ports });
      if (report) useAppStore.getState().showDoctor(report);
    }
    return ports;
  },
  resetInstall: () => set({ install: EMPTY_INSTALL }),
  startInstall: async (client) => {
    const { values } = get();
    const { changes, errors } = toChanges(values);
    if (Object.keys(errors).length > 0) {
      set({ errors });
      return;
    }
    // Checked again at the last moment: a port may have been taken since the Ports step.
    set({ validating: true });
    const taken = takenPortErrors(await get().refreshPorts(client), values);
    set({ validating: false });
    if (Object.keys(taken).length > 0) {
      set({ errors: taken });
      return;
    }
    set({ install: { ...EMPTY_INSTALL, phase: 'starting' }, errors: {} });
    const patch = (update: (install: InstallState) => InstallState) =>
      set({ install: update(get().install) });
    try {
      const job = await runJob(() => client.install({ settings: changes }), {
        onJob: (view) => patch((i) => ({ ...i, phase: 'running', job: view })),
        onStack: (progress) => patch((i) => withProgress(i, progress)),
      });
      const status = await client.stackStatus().catch(() => undefined);
      patch((i) => ({
        ...i,
        job,
        phase: job.outcome === 'succeeded' ? 'succeeded' : 'failed',
        ...(job.error ? { error: job.error.message } : {}),
        ...(status ? { status } : {}),
      }));
    } catch (error) {
      const fields = fieldErrorsOf(error);
      set({
        install: { ...EMPTY_INSTALL, phase: fields ? 'idle' : 'failed', error: messageOf(error) },
        errors: fields ?? {},
      });
    }
  },
}));
