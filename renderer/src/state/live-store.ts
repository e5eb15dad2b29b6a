import { create } from 'zustand';
import {
  ApiError,
  subscribeEvents,
  type Alert,
  type ApiClient,
  type EventSubscription,
  type JobAccepted,
  type RouteOutput,
  type DiskUsage,
  type ServerEvent,
  type ServiceStatus,
  type StackAction,
  type StreamState,
  messageOf,
} from '@contract';
import { acceptedJob, jobCaughtUp } from './job-view';
import { apiBase } from '../target';
import {
  applyEvent,
  capped,
  NO_LIVE_DATA,
  readAfter,
  SAMPLES_CAP,
  type LiveData,
} from './live-reducer';

const notInstalled = (error: unknown): boolean =>
  error instanceof ApiError && error.details?.notInstalled === true;

/** One backup as the catalogue lists it (the contract index does not export its type yet). */
export type Backup = RouteOutput<'backups'>[number];

type Listener = (event: ServerEvent) => void;
const listeners = new Set<Listener>();

/** Every event of `/api/events` as it arrives, after the store has taken it in. */
export function onServerEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * An action's refusal in the UI's words: the server's message for the engine is written for the
 * command line ("run the command again").
 */
const actionMessageOf = (error: unknown): string =>
  error instanceof ApiError && error.code === 'engine_unavailable'
    ? 'Docker is not reachable, so nothing can be started or stopped. Start Docker, then try again.'
    : messageOf(error);

interface LiveState extends LiveData {
  client: ApiClient | undefined;
  /** The desktop shell's token, for streams and downloads the typed client does not cover. */
  token: string | undefined;
  stream: StreamState;
  status: ServiceStatus[] | undefined;
  loadError: string | undefined;
  /** Undefined until the stored settings are read: then whether a stack was installed. */
  installed: boolean | undefined;
  /** The newest backup, when any (undefined: none yet, or the backup API is not answering). */
  lastBackup: Backup | undefined;
  acknowledge: (id: string) => Promise<void>;
  disk: DiskUsage | undefined;
  start: (client: ApiClient, token: string | undefined) => void;
  stop: () => void;
  reload: () => Promise<void>;
  runAction: (action: StackAction, services: string[]) => Promise<void>;
  /** Follows a job a page started, in `jobs`, and reads it once in case its end came first. */
  trackJob: (accepted: JobAccepted) => void;
}

let handle: EventSubscription | undefined;
let statusTimer: ReturnType<typeof setTimeout> | undefined;

export const useLiveStore = create<LiveState>((set, get) => {
  const refreshStatus = (): void => {
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => {
      const client = get().client;
      if (!client) return;
      client.stackStatus({}).then(
        (status) => set({ status }),
        () => undefined,
      );
    }, 300);
  };

  /** Reads a job whose end the stream may have missed (it was away, or not open yet). */
  const catchUp = (id: string): void => {
    get()
      .client?.job({ id })
      .then((job) => {
        const view = jobCaughtUp(get().jobs[id], job);
        const ended = view.outcome !== 'running' && get().activeJobId === id;
        set({
          jobs: { ...get().jobs, [id]: view },
          ...(ended ? { activeJobId: undefined } : {}),
        });
      })
      .catch(() => undefined);
  };

  /**
   * Bumped by every health event: a health read that was asked before one arrived answers with
   * what the event already replaced, so its answer is dropped and the read asked again.
   */
  let healthEvents = 0;
  const readHealth = (client: ApiClient): Promise<void> => {
    const asked = healthEvents;
    return client.stackHealth({}).then((health) => {
      if (asked === healthEvents) set({ health });
      else return readHealth(client);
    });
  };

  const apply = (event: ServerEvent): void => {
    if (event.type === 'service.state-changed' || event.type === 'stack.status-changed') {
      healthEvents += 1;
    }
    const before = get();
    set(applyEvent(before, event, new Date().toISOString()));
    const then = readAfter(before, event);
    if (then === 'status') refreshStatus();
    else if (then === 'reload') void get().reload();
  };

  return {
    client: undefined,
    token: undefined,
    stream: 'connecting',
    ...NO_LIVE_DATA,
    status: undefined,
    loadError: undefined,
    installed: undefined,
    lastBackup: undefined,
    acknowledge: async (id) => {
      const client = get().client;
      if (!client) return;
      const alert = await client.acknowledgeAlert({ id });
      const swap = (list: Alert[]) => list.map((a) => (a.id === id ? alert : a));
      set({ firing: swap(get().firing), alertHistory: swap(get().alertHistory) });
    },
    disk: undefined,
    start: (client, token) => {
      handle?.close();
      set({ client, token });
      handle = subscribeEvents(
        apiBase(),
        (event) => {
          apply(event);
          for (const listener of listeners) listener(event);
        },
        {
          token,
          onState: (stream) => {
            // Coming back after a drop: what changed meanwhile may be gone from the replay buffer.
            if (stream === 'open' && get().stream === 'reconnecting') void get().reload();
            if (stream === 'open') {
              for (const job of Object.values(get().jobs))
                if (job.outcome === 'running') catchUp(job.id);
            }
            const streamDetail =
              stream === 'refused' ? 'Sign in again to see live updates.' : undefined;
            set({ stream, streamDetail });
          },
        },
      );
      void get().reload();
    },
    stop: () => {
      handle?.close();
      handle = undefined;
    },
    reload: async () => {
      const client = get().client;
      if (!client) return;
      // Each answer is shown as it arrives: a slow one (disk usage walks the data folder) must
      // not hold back the services.
      const show = <T>(call: Promise<T>, apply: (value: T) => void) =>
        call.then(apply, () => undefined);
      const core = Promise.allSettled([
        readHealth(client),
        client.stackStatus({}).then((status) => set({ status })),
      ]).then((results) => {
        // Nothing installed yet is what the setup page is for, not something that failed to load.
        const failed = results.find(
          (r): r is PromiseRejectedResult => r.status === 'rejected' && !notInstalled(r.reason),
        );
        set({ loadError: failed ? messageOf(failed.reason) : undefined });
      });
      await Promise.all([
        core,
        show(client.settings({}), (settings) =>
          set({ installed: Object.keys(settings).length > 0 }),
        ),
        show(client.jobs({ limit: 5 }), (jobs) => {
          const running = jobs.find((j) => j.state === 'running');
          if (!running) return set({ activeJobId: undefined });
          if (get().jobs[running.id]) return;
          const view = jobCaughtUp(undefined, running);
          set({ activeJobId: running.id, jobs: { ...get().jobs, [running.id]: view } });
        }),
        show(client.resourcesLatest({}), (latest) => {
          const samples = { ...get().samples };
          for (const sample of latest.services) {
            const list = samples[sample.service] ?? [];
            if (list.at(-1)?.at !== sample.at)
              samples[sample.service] = capped(list, sample, SAMPLES_CAP);
          }
          set({ samples });
        }),
        show(client.diskUsage({}), (disk) => set({ disk })),
        show(client.alerts({ limit: 50 }), (alerts) =>
          set({ firing: alerts.firing, alertHistory: alerts.history }),
        ),
        show(client.backups({}), (backups) => set({ lastBackup: backups[0] })),
      ]);
    },
    runAction: async (action, services) => {
      const client = get().client;
      if (!client) return;
      set({ actionError: undefined });
      try {
        const { jobId, kind } = await client.stackAction({ action, services });
        const seen = get().jobs[jobId];
        set({
          // Its end may already have arrived on the stream, before this answer.
          activeJobId: seen && seen.outcome !== 'running' ? get().activeJobId : jobId,
          jobs: {
            ...get().jobs,
            [jobId]: seen ?? acceptedJob(jobId, kind, `${action} requested`),
          },
        });
      } catch (error) {
        set({
          // The server's busy answer already names what runs and says to try again later.
          actionError: actionMessageOf(error),
        });
      }
    },
    trackJob: ({ jobId, kind }) => {
      if (!get().jobs[jobId]) set({ jobs: { ...get().jobs, [jobId]: acceptedJob(jobId, kind) } });
      catchUp(jobId);
    },
  };
});
