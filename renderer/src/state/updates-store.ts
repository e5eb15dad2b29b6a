import { create } from 'zustand';
import {
  ApiError,
  messageOf,
  type ApiClient,
  type JobAccepted,
  type UpdateRecord,
  type UpdatesReport,
} from '@contract';
import { follow } from './follow-job';
import type { JobRun } from './job-view';
import { isUpdatable } from './update-offer';
import {
  ROLLBACK_STEP,
  updateOutcome,
  updateStepOf,
  type UpdateAsked,
  type UpdateOutcome,
} from './update-steps';

/** An update (or rollback) this page asked for: what, the job, where it is, how it ended. */
export interface UpdateFlow {
  asked: UpdateAsked;
  run: JobRun;
  /** The index in UPDATE_STEPS of the job's latest progress line. */
  step: number;
  /** The step it was at when the rollback began: where the new version failed. */
  failedAt?: number;
  outcome?: UpdateOutcome;
}

interface UpdatesState {
  load:
    | { state: 'idle' | 'loading' | 'ready' }
    /** No stack yet: nothing to check (the card stays out of the way). */
    | { state: 'not-installed' }
    | { state: 'error'; error: string };
  report?: UpdatesReport;
  /** Newest first. */
  history: UpdateRecord[];
  checking: boolean;
  /** Why the last check, pin or skip was refused (a registry that did not answer is per row). */
  error?: string | undefined;
  flow?: UpdateFlow | undefined;
  refresh: (client: ApiClient) => Promise<void>;
  check: (client: ApiClient) => Promise<void>;
  /** Pins (or unpins) every service of a row: they run one image. */
  pin: (client: ApiClient, services: readonly string[], pinned: boolean) => Promise<void>;
  /** Skips `version` (undefined: skips nothing any more) for every service of a row. */
  skip: (
    client: ApiClient,
    services: readonly string[],
    version: string | undefined,
  ) => Promise<void>;
  /** Updates `asked.service` to `to` (a tag, or a reference for a new digest). */
  apply: (client: ApiClient, asked: UpdateAsked, to: string) => Promise<void>;
  /** Back to the version before the newest successful update. */
  rollback: (client: ApiClient, asked: UpdateAsked) => Promise<void>;
}

/** Before an install the server says so (`notInstalled`): a state the card waits out, no failure. */
const notInstalled = (error: unknown): boolean =>
  error instanceof ApiError && error.details?.notInstalled === true;

export const useUpdatesStore = create<UpdatesState>((set, get) => {
  /** Runs a change that answers the report (check, pin, skip), keeping what it says. */
  const change = async (work: () => Promise<UpdatesReport>): Promise<void> => {
    set({ error: undefined });
    try {
      set({ report: await work(), load: { state: 'ready' } });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  };

  /** Follows an update job to its end, then reads the history that says how it ended. */
  const run = async (
    client: ApiClient,
    asked: UpdateAsked,
    start: () => Promise<JobAccepted>,
  ): Promise<void> => {
    const report = (jobRun: JobRun) => {
      const flow = get().flow;
      if (flow?.asked !== asked) return;
      const step = updateStepOf(jobRun.job?.step, flow.step);
      const failing = step === ROLLBACK_STEP && flow.step !== ROLLBACK_STEP;
      set({ flow: { ...flow, run: jobRun, step, ...(failing ? { failedAt: flow.step } : {}) } });
    };
    set({ flow: { asked, run: { phase: 'running' }, step: 0 } });
    let ended: JobRun;
    try {
      ended = await follow(start, report);
    } catch (error) {
      // Refused before any job started (another job runs, a target that is no image).
      ended = { phase: 'failed', error: messageOf(error) };
      report(ended);
    }
    await get().refresh(client);
    const flow = get().flow;
    if (flow?.asked === asked)
      set({ flow: { ...flow, outcome: updateOutcome(ended, asked, get().history) } });
    // The stored answers are about the image that ran before: until a check, the card would say
    // the old version runs and offer the one just installed.
    if (ended.phase === 'succeeded') await get().check(client);
  };

  return {
    load: { state: 'idle' },
    history: [],
    checking: false,
    refresh: async (client) => {
      if (get().load.state !== 'ready') set({ load: { state: 'loading' } });
      try {
        const [report, history] = await Promise.all([
          client.updates(),
          client.updatesHistory().catch(() => get().history),
        ]);
        set({ report, history, load: { state: 'ready' } });
      } catch (error) {
        set({
          load: notInstalled(error)
            ? { state: 'not-installed' }
            : { state: 'error', error: messageOf(error) },
        });
      }
    },
    check: async (client) => {
      set({ checking: true });
      await change(() => client.updatesCheck());
      set({ checking: false });
    },
    pin: (client, services, pinned) =>
      change(async () => {
        let report: UpdatesReport | undefined;
        for (const service of services) report = await client.updatesPin({ service, pinned });
        return report ?? client.updates();
      }),
    skip: (client, services, version) =>
      change(async () => {
        let report: UpdatesReport | undefined;
        for (const service of services)
          report = await client.updatesSkip({ service, ...(version ? { version } : {}) });
        return report ?? client.updates();
      }),
    apply: (client, asked, to) => {
      const service = asked.service;
      if (!isUpdatable(service)) throw new Error(`${service} cannot be updated here`);
      return run(client, asked, () => client.updatesApply({ service, to }));
    },
    rollback: (client, asked) => run(client, asked, () => client.updatesRollback()),
  };
});
