import { useEffect, useState } from 'react';
import {
  LOGS_FOLLOW_PATH,
  LogFollowMessageSchema,
  openSse,
  parseData,
  type LogLine,
  type StreamState,
} from '@contract';
import { LogBuffer } from './log-buffer';
import { apiUrl } from '../target';

export const LOG_CAP = 100_000;
const UPDATE_MS = 100;

export interface FollowOptions {
  services: readonly string[];
  /** A time range start the server understands (`15m`, RFC 3339); everything retained when empty. */
  since: string;
  tail: number;
  paused: boolean;
  token: string | undefined;
  filter: (line: LogLine) => boolean;
}

/** What arrives between renders: mutated in place, rendered when `version` moves. */
interface Feed {
  buffer: LogBuffer;
  pending: LogLine[];
  paused: boolean;
  frame: number;
  skipped: number;
}

/** Pausing holds new lines aside; resuming adds them; a new filter re-filters what is held. */
function applyView(feed: Feed, paused: boolean, filter: (line: LogLine) => boolean): void {
  feed.paused = paused;
  if (!paused && feed.pending.length) {
    feed.buffer.push(feed.pending);
    feed.pending = [];
  }
  feed.buffer.setFilter(filter);
}

/**
 * Follows the merged log into a capped buffer and re-renders at most once per frame, however many
 * lines arrive. While paused, new lines wait aside (capped too) and are added on resume.
 */
export function useLogFollow(options: FollowOptions) {
  const [feed] = useState<Feed>(() => ({
    buffer: new LogBuffer(LOG_CAP),
    pending: [],
    paused: options.paused,
    frame: 0,
    skipped: 0,
  }));
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('connecting');

  // Keyed by value: a caller passing a new but equal `services` array each render keeps its follow.
  const services = options.services.join(',');
  const { since, tail, token } = options;
  useEffect(() => {
    // At most one render per UPDATE_MS, in an animation frame: a reader cannot follow faster, and
    // thousands of lines a second would otherwise cost a render, layout and raster every frame.
    const schedule = () => {
      if (feed.frame) return;
      feed.frame = window.setTimeout(() => {
        requestAnimationFrame(() => {
          feed.frame = 0;
          setVersion((v) => v + 1);
        });
      }, UPDATE_MS);
    };
    const restart = () => {
      feed.buffer.clear();
      feed.pending = [];
      feed.skipped = 0;
      schedule();
    };
    const params = new URLSearchParams({ tail: String(tail) });
    if (services) params.set('services', services);
    if (since) params.set('since', since);
    let reconnected = false;
    const handle = openSse(`${apiUrl(LOGS_FOLLOW_PATH)}?${params.toString()}`, {
      token,
      onState: (next) => {
        if (next === 'connecting') restart();
        if (next === 'reconnecting') reconnected = true;
        // A new connection starts with the tail again: start the view over rather than repeat it.
        if (next === 'open' && reconnected) restart();
        setState(next);
      },
      onMessage: (message) => {
        const data = parseData(message.data, LogFollowMessageSchema);
        if (!data) return;
        if (data.type === 'logs.lines') {
          if (feed.paused) {
            feed.pending.push(...data.lines);
            if (feed.pending.length > LOG_CAP)
              feed.pending.splice(0, feed.pending.length - LOG_CAP);
          } else feed.buffer.push(data.lines);
          schedule();
        } else if (data.type === 'logs.skipped') {
          feed.skipped += data.count;
          schedule();
        }
      },
    });
    return () => {
      handle.close();
      clearTimeout(feed.frame);
      feed.frame = 0;
    };
  }, [services, since, tail, token, feed]);

  useEffect(() => {
    applyView(feed, options.paused, options.filter);
    // Both change what is shown: render once more.
    requestAnimationFrame(() => setVersion((v) => v + 1));
  }, [options.paused, options.filter, feed]);

  return {
    rows: feed.buffer.rows,
    version,
    state,
    waiting: feed.pending.length,
    skipped: feed.skipped,
    dropped: feed.buffer.dropped,
  };
}
