// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient, HealthHistoryEntry, HealthHistoryPage } from '@contract';
import { useLiveStore } from '../state/live-store';
import { HealthHistory } from './HealthHistory';

const initial = useLiveStore.getState();
afterEach(cleanup);
beforeEach(() => useLiveStore.setState(initial, true));

const entry = (id: number, state: HealthHistoryEntry['state']): HealthHistoryEntry => ({
  id,
  service: 'redis',
  state,
  previous: 'running',
  lastCheck: null,
  exitCode: state === 'exited' ? 137 : null,
  oomKilled: false,
  deepCheck: null,
  at: new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString(),
});

/** A server holding `stored` (oldest first) that answers pages as the route does. */
function fakeClient(stored: HealthHistoryEntry[], asked: Array<number | undefined>) {
  return {
    healthHistory: (q: { service: string; limit?: number; before?: number }) => {
      asked.push(q.before);
      const older = stored
        .filter((e) => q.before === undefined || e.id < q.before)
        .sort((a, b) => b.id - a.id);
      const limit = q.limit ?? 50;
      const page: HealthHistoryPage = {
        entries: older.slice(0, limit),
        more: older.length > limit,
      };
      return Promise.resolve(page);
    },
  } as unknown as ApiClient;
}

const shownStates = (): string[] =>
  screen.getAllByRole('listitem').map((li) => li.getAttribute('data-state') ?? '');

describe('the health history card', () => {
  it('shows the newest page, pages back with "Show older", and reloads on a live change', async () => {
    const stored = Array.from({ length: 60 }, (_, i) => entry(i + 1, i % 2 ? 'exited' : 'running'));
    const asked: Array<number | undefined> = [];
    useLiveStore.setState({ client: fakeClient(stored, asked) });
    await act(async () => {
      render(<HealthHistory service="redis" state="running" />);
    });
    expect(screen.getAllByRole('listitem')).toHaveLength(50);
    expect(screen.getAllByRole('listitem')[0]?.textContent).toContain('exit code 137');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Show older' }));
    });
    expect(asked).toEqual([undefined, 11]);
    expect(screen.getAllByRole('listitem')).toHaveLength(60);
    expect(screen.queryByRole('button', { name: 'Show older' })).toBeNull();

    stored.push(entry(61, 'unhealthy'));
    await act(async () => {
      useLiveStore.setState({
        history: {
          redis: [{ at: 'now', state: 'unhealthy', previous: 'exited', lastCheck: null }],
        },
      });
    });
    expect(shownStates()[0]).toBe('unhealthy');
    expect(screen.getAllByRole('listitem')).toHaveLength(61);
  });

  it('says the service stayed in its state when nothing was recorded', async () => {
    useLiveStore.setState({ client: fakeClient([], []) });
    await act(async () => {
      render(<HealthHistory service="redis" state="healthy" />);
    });
    expect(screen.getByText(/No recorded changes/).textContent).toBe(
      'No recorded changes: it has stayed healthy.',
    );
  });
});
