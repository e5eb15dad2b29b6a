import { messageOf } from '@contract';
import { create } from 'zustand';
import type {
  Backup,
  BackupPreflight,
  BackupSchedule,
  BackupStorage,
  BackupUpload,
  RestoreInput,
} from '@contract/backup-routes.js';
import type { ApiClient } from '@contract';
import { fieldErrorsOf, type FieldErrors } from './settings-store-form';
import { advanceRestoreSteps, type RestoreSteps } from './restore-steps';
import { follow } from './follow-job';
import { IDLE, type JobRun } from './job-view';

/** The schedule as typed (numbers and times as text: the server names what is wrong). */
export interface ScheduleForm {
  dailyEnabled: boolean;
  dailyTime: string;
  weeklyEnabled: boolean;
  weeklyDay: string;
  weeklyTime: string;
  keepDaily: string;
  keepWeekly: string;
}

const toForm = (s: BackupSchedule): ScheduleForm => ({
  dailyEnabled: s.daily.enabled,
  dailyTime: s.daily.time,
  weeklyEnabled: s.weekly.enabled,
  weeklyDay: String(s.weekly.weekday),
  weeklyTime: s.weekly.time,
  keepDaily: String(s.retention.daily),
  keepWeekly: String(s.retention.weekly),
});

const whole = (value: string): number => (/^[0-9]+$/.test(value.trim()) ? Number(value) : NaN);

/** The restore being prepared: which archive, what it holds, then the job. */
export interface RestoreFlow {
  source: RestoreInput;
  /** A label for the user: the backup's date, or the file. */
  label: string;
  preflight?: BackupPreflight;
  checking: boolean;
  errors: FieldErrors;
  run: JobRun;
  /** While it runs and once it ended: which of the six listed steps, since when. */
  steps?: RestoreSteps;
}

/** A backup file being sent from this browser for a restore. */
export type UploadState =
  | { phase: 'idle' }
  | { phase: 'sending'; name: string; sent: number; total: number }
  | { phase: 'failed'; name: string; error: string };

/** Sends a file, reporting bytes sent; answers the upload's id (see `uploadBackup`). */
export type SendFile = (
  file: File,
  onProgress: (sent: number, total: number) => void,
) => Promise<BackupUpload>;

interface BackupsState {
  load: { state: 'idle' | 'loading' | 'ready' | 'error'; error?: string };
  list: Backup[];
  storage?: BackupStorage;
  schedule?: ScheduleForm;
  scheduleErrors: FieldErrors;
  scheduleSaved: boolean;
  backup: JobRun;
  /** The verification running or last run, with the backup it was for. */
  verify: JobRun & { id?: string };
  restore?: RestoreFlow | undefined;
  refresh: (client: ApiClient) => Promise<void>;
  backUpNow: (client: ApiClient) => Promise<void>;
  verifyBackup: (client: ApiClient, id: string, restoreTest: boolean) => Promise<void>;
  setSchedule: <K extends keyof ScheduleForm>(field: K, value: ScheduleForm[K]) => void;
  saveSchedule: (client: ApiClient) => Promise<void>;
  /** Reads what the archive holds (touches nothing) and shows the safety steps. */
  prepareRestore: (client: ApiClient, source: RestoreInput, label: string) => Promise<void>;
  cancelRestore: () => void;
  upload: UploadState;
  /** Sends a file picked in the browser, then reads what it holds as `prepareRestore` does. */
  restoreFromFile: (
    client: ApiClient,
    file: File,
    recoveryKey: string,
    send: SendFile,
  ) => Promise<void>;
  startRestore: (client: ApiClient) => Promise<void>;
}

export const useBackupsStore = create<BackupsState>((set, get) => ({
  load: { state: 'idle' },
  list: [],
  scheduleErrors: {},
  scheduleSaved: false,
  backup: IDLE,
  verify: IDLE,
  refresh: async (client) => {
    if (get().load.state !== 'ready') set({ load: { state: 'loading' } });
    try {
      const [list, storage, schedule] = await Promise.all([
        client.backups(),
        client.backupStorage(),
        client.backupSchedule(),
      ]);
      set({
        load: { state: 'ready' },
        list,
        storage,
        // Keep what the user is typing; the first load fills the form.
        schedule: get().schedule ?? toForm(schedule),
      });
    } catch (error) {
      set({ load: { state: 'error', error: messageOf(error) } });
    }
  },
  backUpNow: async (client) => {
    set({ backup: { phase: 'running' } });
    try {
      await follow(
        () => client.createBackup(),
        (backup) => set({ backup }),
      );
    } catch (error) {
      set({ backup: { phase: 'failed', error: messageOf(error) } });
    }
    await get().refresh(client);
  },
  verifyBackup: async (client, id, restoreTest) => {
    set({ verify: { phase: 'running', id } });
    try {
      await follow(
        () => client.verifyBackup({ id, restoreTest }),
        (run) => set({ verify: { ...run, id } }),
      );
    } catch (error) {
      set({ verify: { phase: 'failed', id, error: messageOf(error) } });
    }
    await get().refresh(client);
  },
  setSchedule: (field, value) => {
    const schedule = get().schedule;
    if (schedule) set({ schedule: { ...schedule, [field]: value }, scheduleSaved: false });
  },
  saveSchedule: async (client) => {
    const s = get().schedule;
    if (!s) return;
    try {
      const saved = await client.setBackupSchedule({
        daily: { enabled: s.dailyEnabled, time: s.dailyTime.trim() },
        weekly: {
          enabled: s.weeklyEnabled,
          weekday: whole(s.weeklyDay),
          time: s.weeklyTime.trim(),
        },
        retention: { daily: whole(s.keepDaily), weekly: whole(s.keepWeekly) },
      });
      set({ schedule: toForm(saved), scheduleErrors: {}, scheduleSaved: true });
      await get().refresh(client);
    } catch (error) {
      set({
        scheduleErrors: fieldErrorsOf(error) ?? { '(schedule)': messageOf(error) },
        scheduleSaved: false,
      });
    }
  },
  prepareRestore: async (client, source, label) => {
    set({ restore: { source, label, checking: true, errors: {}, run: IDLE } });
    try {
      const preflight = await client.restorePreflight(source);
      set({ restore: { source, label, preflight, checking: false, errors: {}, run: IDLE } });
    } catch (error) {
      set({
        restore: {
          source,
          label,
          checking: false,
          errors: fieldErrorsOf(error) ?? { '(restore)': messageOf(error) },
          run: IDLE,
        },
      });
    }
  },
  cancelRestore: () => set({ restore: undefined }),
  upload: { phase: 'idle' },
  restoreFromFile: async (client, file, recoveryKey, send) => {
    const name = file.name;
    set({ upload: { phase: 'sending', name, sent: 0, total: file.size } });
    let sent: BackupUpload;
    try {
      sent = await send(file, (done, total) =>
        set({ upload: { phase: 'sending', name, sent: done, total } }),
      );
    } catch (error) {
      set({ upload: { phase: 'failed', name, error: messageOf(error) } });
      return;
    }
    set({ upload: { phase: 'idle' } });
    const key = recoveryKey.trim();
    await get().prepareRestore(
      client,
      { upload: sent.upload, ...(key ? { recoveryKey: key } : {}) },
      name,
    );
  },
  startRestore: async (client) => {
    const flow = get().restore;
    if (!flow?.preflight) return;
    const report = (run: JobRun) => {
      const current = get().restore;
      if (!current) return;
      const steps = advanceRestoreSteps(current.steps, run.job?.step, Date.now());
      set({ restore: { ...current, run, steps } });
    };
    // A second try after a failure counts its time from its own start.
    set({ restore: { ...flow, steps: undefined } });
    report({ phase: 'running' });
    try {
      await follow(() => client.restore(flow.source), report);
    } catch (error) {
      report({ phase: 'failed', error: messageOf(error) });
    }
    await get().refresh(client);
  },
}));
