/**
 * Newer images for the stack, in the tray and as OS notifications: the tray lists what the server's
 * last update check offers (read from its API: at start, when a check finds something, when a job
 * such as an update ends, and now and then for pins and skips made in the UI); a notification comes
 * once per service and version, on `update.became-available` (the server publishes each once).
 */
import type { DomainEvent } from '../../server/src/contract/events.js';
import type {
  UpdateBecameAvailable,
  UpdatesReport,
} from '../../server/src/contract/updates-routes.js';

/** `sha256:0123456789abcdef…` -> `sha256:0123456789ab`. */
const short = (version: string): string =>
  version.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');

/**
 * Per service on offer: "backend v2" (its newest newer tag), "redis: a new build of 7-alpine" (a
 * new digest of the same tag), or "backend: 3 newer commits on develop" (a build from a checkout).
 */
export function offeredUpdates(report: UpdatesReport): string[] {
  return report.services.flatMap((s) => {
    if (!s.updateAvailable) return [];
    const newest = s.newerVersions.at(-1)?.tag;
    if (newest !== undefined) return [`${s.service} ${newest}`];
    if (s.newDigest) return [`${s.service}: a new build of ${s.tag ?? 'its tag'}`];
    const behind = s.checkout?.behind ?? 0;
    return behind > 0
      ? [`${s.service}: ${behind} newer commit${behind === 1 ? '' : 's'} on ${s.checkout?.branch}`]
      : [];
  });
}

/** The notification for one newly available version. */
export function updateNotice(event: UpdateBecameAvailable): { title: string; body: string } {
  const then = 'Open the dashboard to update; the app takes a safety snapshot first.';
  switch (event.kind) {
    case 'version':
      return {
        title: `Update available: ${event.service} ${event.version}`,
        body: `${event.image} has a newer version, ${event.version}. ${then}`,
      };
    case 'digest':
      return {
        title: `Update available: ${event.service}`,
        body: `${event.image} was rebuilt (${short(event.version)}). ${then}`,
      };
    case 'commit':
      return {
        title: `Update available: ${event.service}`,
        body: `The checkout ${event.image} was built from has a newer commit (${event.version.slice(0, 12)}). ${then}`,
      };
  }
}

export interface StackUpdatesFollower {
  /** Reads what is on offer now. */
  refresh: () => Promise<void>;
  /** Every domain event of the server; it acts on update.became-available and job.finished. */
  handle: (event: DomainEvent) => void;
  stop: () => void;
}

export function followStackUpdates(deps: {
  /** GET /api/updates: the last answers, never a fresh check. */
  report: () => Promise<UpdatesReport>;
  /** The tray's entry (none when empty). */
  show: (updates: string[]) => void;
  /** An OS notification whose click opens the dashboard. */
  notify: (title: string, body: string) => void;
  log: (message: string) => void;
  /** How often the offer is read again without an event (default 15 minutes). */
  refreshEveryMs?: number;
}): StackUpdatesFollower {
  const notified = new Set<string>();
  const refresh = async (): Promise<void> => {
    try {
      deps.show(offeredUpdates(await deps.report()));
    } catch (error) {
      deps.log(`the stack updates could not be read: ${String(error)}`);
    }
  };
  const timer = setInterval(() => void refresh(), deps.refreshEveryMs ?? 15 * 60_000);
  timer.unref?.();
  return {
    refresh,
    handle: (event) => {
      if (event.type === 'update.became-available') {
        const key = `${event.service}@${event.version}`;
        if (!notified.has(key)) {
          notified.add(key);
          const { title, body } = updateNotice(event);
          deps.notify(title, body);
        }
        void refresh();
      } else if (event.type === 'job.finished') {
        // An update applied or rolled back changes what is on offer.
        void refresh();
      }
    },
    stop: () => clearInterval(timer),
  };
}
