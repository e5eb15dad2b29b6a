// @vitest-environment happy-dom
import { cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOGS_FOLLOW_PATH } from '@contract';
import { useLogFollow, type FollowOptions } from './use-log-follow';

/** Every follow the hook opened: its query and whether it was closed since. */
interface Opened {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly signal: AbortSignal;
}

let opened: Opened[] = [];

beforeEach(() => {
  opened = [];
  // A server that accepts the follow and has sent nothing yet: the request waits until closed.
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    const signal = init.signal as AbortSignal;
    const { pathname, searchParams } = new URL(url, 'http://app.local');
    opened.push({ path: pathname, query: searchParams, signal });
    return new Promise<Response>((_, reject) =>
      signal.addEventListener('abort', () => reject(new DOMException('closed', 'AbortError'))),
    );
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const showAll = () => true;

/** The options LogsView passes, built afresh each render the way a parent component does. */
const options = (services: string[], since = ''): FollowOptions => ({
  services: [...services],
  since,
  tail: 1000,
  paused: false,
  token: 'desktop-token',
  filter: showAll,
});

describe('following the log', () => {
  it('keeps one follow open while re-rendered with equal options in new arrays', () => {
    const { rerender } = renderHook((props: FollowOptions) => useLogFollow(props), {
      initialProps: options(['backend', 'postgres']),
    });
    rerender(options(['backend', 'postgres']));
    rerender({ ...options(['backend', 'postgres']), filter: () => true });
    expect(opened).toHaveLength(1);
    expect(opened[0]?.signal.aborted).toBe(false);
    expect(opened[0]?.path).toBe(LOGS_FOLLOW_PATH);
    expect(opened[0]?.query.get('services')).toBe('backend,postgres');
  });

  it('closes the follow and opens a new one when the services or the time range change', () => {
    const { rerender, unmount } = renderHook((props: FollowOptions) => useLogFollow(props), {
      initialProps: options(['backend', 'postgres']),
    });
    rerender(options(['backend']));
    expect(opened).toHaveLength(2);
    expect(opened[0]?.signal.aborted).toBe(true);
    expect(opened[1]?.query.get('services')).toBe('backend');
    rerender(options(['backend'], '15m'));
    expect(opened).toHaveLength(3);
    expect(opened[1]?.signal.aborted).toBe(true);
    expect(opened[2]?.query.get('since')).toBe('15m');
    unmount();
    expect(opened[2]?.signal.aborted).toBe(true);
  });
});
