// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient, LogLine, ServiceHealth } from '@contract';
import { useLiveStore } from '../state/live-store';
import { SetupSteps } from './SetupSteps';

const initial = useLiveStore.getState();
afterEach(cleanup);
beforeEach(() => useLiveStore.setState(initial, true));

const migrate = (over: Partial<ServiceHealth>): ServiceHealth => ({
  service: 'migrate',
  state: 'exited',
  lastCheck: null,
  restarts: 0,
  startedAt: null,
  exitCode: 0,
  oomKilled: false,
  oneShot: true,
  essential: true,
  ...over,
});

const line = (text: string): LogLine => ({
  time: '2026-01-01T00:00:00Z',
  service: 'migrate',
  container: 'mn_migrate_1',
  stream: 'stderr',
  text,
});

describe('the setup steps', () => {
  it('call migrations that ended with 0 done, with nothing to start or stop', () => {
    render(<SetupSteps jobs={[migrate({})]} engineDown={false} />);
    const step = screen.getByRole('listitem');
    expect(step.textContent).toBe('done Database up to date');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('show a failed migration as a failure with the end of its log', async () => {
    const asked: unknown[] = [];
    const client = {
      logsHistory: (q: unknown) => {
        asked.push(q);
        return Promise.resolve({
          lines: [line('Error: P3009 migrate found failed migrations')],
          truncated: false,
        });
      },
    } as unknown as ApiClient;
    useLiveStore.setState({ client });
    render(<SetupSteps jobs={[migrate({ exitCode: 1 })]} engineDown={false} />);
    expect(screen.getByRole('listitem').textContent).toContain(
      'The database update failed (exit code 1)',
    );
    const log = await screen.findByLabelText("Last lines of migrate's log");
    expect(log.textContent).toBe('Error: P3009 migrate found failed migrations');
    expect(asked).toEqual([{ services: ['migrate'], tail: 20 }]);
  });

  it('say nothing is known while Docker cannot be reached', () => {
    render(<SetupSteps jobs={[migrate({})]} engineDown={true} />);
    expect(screen.getByRole('listitem').textContent).toContain('Not known while Docker');
  });
});
