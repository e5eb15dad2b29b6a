import { useMemo, useState, type FormEvent } from 'react';
import type { LogLine } from '@contract';
import { levelFilter, type LevelFilter } from '../state/log-buffer';
import { useLiveStore } from '../state/live-store';
import { useLogFollow } from '../state/use-log-follow';
import { downloadLogs } from './download-logs';
import { plural } from './format';
import { Options } from './ui/Options';
import { LogRow } from './LogRow';
import { startsWrapped, useWrappedRows } from './use-wrapped-rows';
import { VirtualList } from './VirtualList';
import { messageOf } from '@contract';

const ROW_HEIGHT = 22;
const RANGES = [
  { value: '', label: 'Everything kept' },
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '1d', label: 'Last day' },
] as const;
const LEVELS = (['all', 'debug', 'info', 'warn', 'error'] satisfies LevelFilter[]).map((level) => ({
  value: level,
  label: level === 'all' ? 'All lines' : `${level} and above`,
}));

type Search =
  | { state: 'off' }
  | { state: 'running'; query: string }
  | { state: 'done'; query: string; lines: LogLine[]; scanned: number; truncated: boolean }
  | { state: 'error'; query: string; message: string };

/** The merged log (or `services` only): follow with pause, level, time range, search, download. */
export function LogsView({
  services,
  tail = 1000,
}: {
  services: readonly string[];
  tail?: number;
}) {
  const client = useLiveStore((s) => s.client);
  const token = useLiveStore((s) => s.token);
  const [paused, setPaused] = useState(false);
  const [level, setLevel] = useState<LevelFilter>('all');
  const [since, setSince] = useState('');
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<Search>({ state: 'off' });
  const [downloadError, setDownloadError] = useState<string>();
  const [wrap, setWrap] = useState(startsWrapped);
  const { probe, heightOf } = useWrappedRows(wrap, ROW_HEIGHT);
  const filter = useMemo(() => levelFilter(level), [level]);
  const follow = useLogFollow({ services, since, tail, paused, token, filter });
  const shownQuery = search.state === 'off' ? '' : search.query;

  const runSearch = (event: FormEvent) => {
    event.preventDefault();
    const q = query.trim();
    if (!client || !q) return setSearch({ state: 'off' });
    setSearch({ state: 'running', query: q });
    client.logsSearch({ services: [...services], query: q, ...(since ? { since } : {}) }).then(
      (result) => setSearch({ state: 'done', query: q, ...result }),
      (error: unknown) =>
        setSearch({
          state: 'error',
          query: q,
          message: messageOf(error),
        }),
    );
  };

  const closeSearch = () => {
    setSearch({ state: 'off' });
    setQuery('');
  };

  const matches = search.state === 'done' ? search.lines.filter(filter) : [];
  return (
    <div className={wrap ? 'logs logs-wrap' : 'logs'}>
      <div className="log-line log-probe" aria-hidden="true" ref={probe}>
        <span>0000000000</span>
      </div>
      <div className="toolbar" role="group" aria-label="Log view">
        <button type="button" aria-pressed={!paused} onClick={() => setPaused((p) => !p)}>
          {paused ? `Resume${follow.waiting ? ` (${follow.waiting} new)` : ''}` : 'Pause'}
        </button>
        <label>
          Level{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as LevelFilter)}>
            <Options options={LEVELS} />
          </select>
        </label>
        <label>
          Time{' '}
          <select value={since} onChange={(e) => setSince(e.target.value)}>
            <Options options={RANGES} />
          </select>
        </label>
        <label>
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} /> Wrap
          long lines
        </label>
        <form className="search" role="search" onSubmit={runSearch}>
          <label>
            Search{' '}
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              maxLength={200}
            />
          </label>
          <button type="submit">Search</button>
        </form>
        <button
          type="button"
          onClick={() =>
            void downloadLogs({ services, since, token }).then(
              () => setDownloadError(undefined),
              (error: unknown) => setDownloadError(messageOf(error)),
            )
          }
        >
          Download
        </button>
      </div>
      <p className="muted" role="status" data-field="follow-state">
        {follow.state === 'open'
          ? paused
            ? 'Paused: new lines wait until you resume.'
            : 'Following live.'
          : follow.state === 'refused'
            ? 'Live log refused: sign in again.'
            : 'Live log: reconnecting…'}{' '}
        {plural(follow.rows.length, 'line', 'lines')} shown
        {follow.dropped > 0 && ` (oldest ${follow.dropped.toLocaleString()} let go to save memory)`}
        {follow.skipped > 0 &&
          `; ${plural(follow.skipped, 'line', 'lines')} skipped while the view could not keep up`}
        .
      </p>
      {downloadError && (
        <p className="error" role="alert">
          Download failed: {downloadError}
        </p>
      )}
      {search.state !== 'off' && (
        <section className="search-results" aria-label="Search results">
          <div className="card-head">
            <h3>
              {search.state === 'running' && `Searching for “${search.query}”…`}
              {search.state === 'error' && `Search failed: ${search.message}`}
              {search.state === 'done' &&
                `${plural(matches.length, 'match', 'matches')} for “${search.query}” in ${plural(search.scanned, 'line', 'lines')}${search.truncated ? ' (first ones only)' : ''}`}
            </h3>
            <button type="button" onClick={closeSearch}>
              Close search
            </button>
          </div>
          {search.state === 'done' && matches.length > 0 && (
            <VirtualList
              count={matches.length}
              rowHeight={ROW_HEIGHT}
              heightOf={heightOf(matches)}
              version={0}
              stickToBottom={false}
              fit
              label="Matching lines"
              renderRow={(i) => matches[i] && <LogRow line={matches[i]} query={search.query} />}
            />
          )}
        </section>
      )}
      <VirtualList
        count={follow.rows.length}
        rowHeight={ROW_HEIGHT}
        heightOf={heightOf(follow.rows)}
        version={follow.version}
        stickToBottom={!paused}
        onScrolledAway={() => setPaused(true)}
        label="Log lines"
        renderRow={(i) => {
          const line = follow.rows[i];
          return line && <LogRow line={line} query={shownQuery} />;
        }}
      />
    </div>
  );
}
