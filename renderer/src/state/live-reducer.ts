import type { Alert, ResourceSample, ServerEvent, ServiceHealth, StackHealth } from '@contract';
import { jobFinished, jobProgressed, type JobView } from './job-view';

/** A health-state change seen on the stream, for a service's history. */
export interface HealthChange {
  at: string;
  state: ServiceHealth['state'];
  previous: ServiceHealth['state'] | null;
  lastCheck: string | null;
}

/** What the event stream keeps current in the live store. */
export interface LiveData {
  streamDetail: string | undefined;
  health: StackHealth | undefined;
  history: Record<string, HealthChange[]>;
  jobs: Record<string, JobView>;
  activeJobId: string | undefined;
  /** Why the last action was refused (another job running, bad input), shown where it was asked. */
  actionError: string | undefined;
  /** Alerts firing now (from the alerts API, kept current by `alert.changed`), newest first. */
  firing: Alert[];
  /** The newest page of the alert history, newest first. */
  alertHistory: Alert[];
  samples: Record<string, ResourceSample[]>;
}

/** The live data before the stream has said anything. */
export const NO_LIVE_DATA: LiveData = {
  streamDetail: undefined,
  health: undefined,
  history: {},
  jobs: {},
  activeJobId: undefined,
  actionError: undefined,
  firing: [],
  alertHistory: [],
  samples: {},
};

export const HISTORY_CAP = 100;
export const SAMPLES_CAP = 60;
export const ALERTS_CAP = 200;

export const capped = <T>(list: readonly T[], item: T, cap: number): T[] =>
  [...list, item].slice(-cap);

/**
 * The live data after one event of the stream, seen at `at` (ISO time). Pure: what the store
 * reads again afterwards is `readAfter`'s answer.
 */
export function applyEvent(state: LiveData, event: ServerEvent, at: string): LiveData {
  switch (event.type) {
    case 'service.state-changed': {
      const s = event.service;
      const health = state.health;
      const services = health
        ? [...health.services.filter((x) => x.service !== s.service), s].sort((a, b) =>
            a.service.localeCompare(b.service),
          )
        : [s];
      const change: HealthChange = {
        at,
        state: s.state,
        previous: event.previous,
        lastCheck: s.lastCheck,
      };
      return {
        ...state,
        health: health ? { ...health, services } : undefined,
        history: {
          ...state.history,
          [s.service]: capped(state.history[s.service] ?? [], change, HISTORY_CAP),
        },
      };
    }
    case 'stack.status-changed': {
      const health = state.health;
      if (!health) return state;
      // The event carries the affected services whole: none listed means none any more.
      const { affected: _stale, ...rest } = health;
      return {
        ...state,
        health: {
          ...rest,
          status: event.status,
          reason: event.reason,
          ...(event.affected ? { affected: event.affected } : {}),
        },
        // Docker is back: an action refused while it was away is no longer the news.
        ...(engineBack(state, event) ? { actionError: undefined } : {}),
      };
    }
    case 'job.progressed':
      return {
        ...state,
        activeJobId: event.jobId,
        jobs: { ...state.jobs, [event.jobId]: jobProgressed(state.jobs[event.jobId], event) },
      };
    case 'job.finished':
      return {
        ...state,
        activeJobId: state.activeJobId === event.jobId ? undefined : state.activeJobId,
        jobs: { ...state.jobs, [event.jobId]: jobFinished(state.jobs[event.jobId], event) },
      };
    case 'alert.changed': {
      const alert = event.alert;
      const others = (list: Alert[]) => list.filter((a) => a.id !== alert.id);
      return {
        ...state,
        firing: alert.state === 'firing' ? [alert, ...others(state.firing)] : others(state.firing),
        alertHistory: [alert, ...others(state.alertHistory)].slice(0, ALERTS_CAP),
      };
    }
    case 'resources.sampled': {
      const samples = { ...state.samples };
      for (const sample of event.services) {
        samples[sample.service] = capped(samples[sample.service] ?? [], sample, SAMPLES_CAP);
      }
      return { ...state, samples };
    }
    case 'stream.closed':
      return { ...state, streamDetail: event.message };
    default:
      return state;
  }
}

const engineBack = (state: LiveData, event: ServerEvent): boolean =>
  event.type === 'stack.status-changed' &&
  state.health?.status === 'unknown' &&
  event.status !== 'unknown';

/**
 * What to read again after an event (given the state before it): everything (`reload`), the
 * services' status only (`status`: ports and containers follow a health change), or nothing.
 */
export function readAfter(before: LiveData, event: ServerEvent): 'reload' | 'status' | undefined {
  switch (event.type) {
    case 'service.state-changed':
      return 'status';
    case 'stack.status-changed':
      // What was read or refused while Docker was away is stale (the services' ports).
      return engineBack(before, event) ? 'reload' : undefined;
    case 'job.finished':
    case 'stream.reset':
      return 'reload';
    default:
      return undefined;
  }
}
