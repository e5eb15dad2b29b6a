// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../state/job-view';
import { SUCCESS_SHOWN_MS } from '../state/use-expiring-message';
import { JobStatus } from './JobStatus';
import { FormFooter } from './ui/FormFooter';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const job = (id: string, outcome: JobView['outcome']): JobView => ({
  id,
  kind: 'restart',
  step: '',
  percent: undefined,
  outcome,
  error: outcome === 'failed' ? { code: 'busy', message: 'another job runs' } : undefined,
});

const later = (ms: number) =>
  act(() => {
    vi.advanceTimersByTime(ms);
  });

describe('success messages', () => {
  it('a finished job says so for a few seconds, then the message goes', () => {
    render(<JobStatus job={job('j1', 'succeeded')} />);
    expect(screen.getByText('restart: done.')).toBeTruthy();
    later(SUCCESS_SHOWN_MS - 500);
    expect(screen.queryByText('restart: done.')).not.toBeNull();
    later(1000);
    expect(screen.queryByText('restart: done.')).toBeNull();
  });

  it('the next job that succeeds shows its message again', () => {
    const { rerender } = render(<JobStatus job={job('j1', 'succeeded')} />);
    later(SUCCESS_SHOWN_MS + 100);
    rerender(<JobStatus job={job('j2', 'succeeded')} />);
    expect(screen.getByText('restart: done.')).toBeTruthy();
  });

  it('a failure stays until something else replaces it', () => {
    render(<JobStatus job={job('j1', 'failed')} />);
    later(SUCCESS_SHOWN_MS * 10);
    expect(screen.getByRole('alert').textContent).toContain('another job runs');
  });

  it('settings, backups and restores: success expires, an error stays', () => {
    const { rerender } = render(
      <JobStatus run={{ phase: 'succeeded', job: job('a1', 'succeeded') }} success="Applied." />,
    );
    expect(screen.getByText('Applied.')).toBeTruthy();
    later(SUCCESS_SHOWN_MS + 100);
    expect(screen.queryByText('Applied.')).toBeNull();
    rerender(
      <JobStatus run={{ phase: 'failed', error: 'Port 80 is taken.' }} success="Applied." />,
    );
    later(SUCCESS_SHOWN_MS * 10);
    expect(screen.getByRole('alert').textContent).toBe('Port 80 is taken.');
  });

  it('a form’s "Saved." goes after a few seconds and comes back on the next save', () => {
    const { rerender } = render(<FormFooter saved submit="Save" />);
    expect(screen.getByText('Saved.')).toBeTruthy();
    later(SUCCESS_SHOWN_MS + 100);
    expect(screen.queryByText('Saved.')).toBeNull();
    rerender(<FormFooter saved={false} submit="Save" />);
    rerender(<FormFooter saved submit="Save" />);
    expect(screen.getByText('Saved.')).toBeTruthy();
  });
});
