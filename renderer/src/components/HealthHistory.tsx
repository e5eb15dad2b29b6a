import { useEffect, useState } from 'react';
import type { HealthHistoryEntry } from '@contract';
import { useLiveStore } from '../state/live-store';
import { formatTime } from './format';
import { messageOf } from '@contract';

const PAGE = 50;

/** Newest first, without repeats: a refreshed first page merged with the pages shown so far. */
const mergeEntries = (a: HealthHistoryEntry[], b: HealthHistoryEntry[]): HealthHistoryEntry[] =>
  [...new Map([...a, ...b].map((e) => [e.id, e])).values()].sort((x, y) => y.id - x.id);

/**
 * Keyed by service where it is used, so another service starts afresh. A service's recorded health transitions (kept by the server across restarts): the newest page
 * on open, new ones as the service's state changes, older ones on demand.
 */
export function HealthHistory({ service, state }: { service: string; state: string }) {
  const client = useLiveStore((s) => s.client);
  // The newest live change of this service (a state-changed event): the cue to reload.
  const live = useLiveStore((s) => {
    const last = s.history[service]?.at(-1);
    return last ? `${last.at} ${last.state}` : '';
  });
  const [entries, setEntries] = useState<HealthHistoryEntry[]>([]);
  // Whether older entries exist than the oldest shown: set by the first load, then by "show older".
  const [more, setMore] = useState<boolean>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!client) return;
    let current = true;
    client.healthHistory({ service, limit: PAGE }).then(
      (page) => {
        if (!current) return;
        setEntries((shown) => mergeEntries(shown, page.entries));
        setMore((was) => was ?? page.more);
        setError(undefined);
      },
      (e: unknown) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [client, service, live]);

  const older = (): void => {
    const last = entries.at(-1);
    if (!client || !last) return;
    setLoading(true);
    client.healthHistory({ service, limit: PAGE, before: last.id }).then(
      (page) => {
        setEntries((shown) => mergeEntries(shown, page.entries));
        setMore(page.more);
        setLoading(false);
      },
      (e: unknown) => {
        setError(messageOf(e));
        setLoading(false);
      },
    );
  };

  return (
    <>
      {error && (
        <p role="alert" className="error">
          Health history could not be loaded: {error}
        </p>
      )}
      {entries.length ? (
        <ol className="history" aria-label={`Health history of ${service}`}>
          {entries.map((h) => (
            <li key={h.id} data-state={h.state}>
              <time dateTime={h.at}>{formatTime(h.at)}</time>: {h.previous ?? 'unknown'} →{' '}
              <strong>{h.state}</strong>
              {h.exitCode !== null && <> (exit code {h.exitCode})</>}
              {h.oomKilled && <> — killed: out of memory</>}
              {h.deepCheck && <> — deep check {h.deepCheck.ok ? 'passed' : 'FAILED'}</>}
              {h.lastCheck && <span className="muted"> ({h.lastCheck})</span>}
            </li>
          ))}
        </ol>
      ) : (
        !error && <p className="muted">No recorded changes: it has stayed {state}.</p>
      )}
      {more && (
        <button type="button" disabled={loading} onClick={older}>
          {loading ? 'Loading…' : 'Show older'}
        </button>
      )}
    </>
  );
}
