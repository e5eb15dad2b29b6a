// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '@contract';
import { useLiveStore } from '../state/live-store';
import { NavBar } from './NavBar';

const initial = useLiveStore.getState();
afterEach(cleanup);
beforeEach(() => useLiveStore.setState(initial, true));

const alert = (id: string, acknowledgedAt: string | null): Alert => ({
  id,
  rule: 'service-stopped',
  subject: id,
  severity: 'critical',
  title: `${id} is stopped`,
  message: '',
  page: `/services/${id}`,
  state: 'firing',
  firedAt: '2026-01-01T00:00:00Z',
  resolvedAt: null,
  acknowledgedAt,
  notifiedAt: null,
});

describe('the alerts count in the navigation', () => {
  it('counts what the user has not acknowledged yet, not every firing alert', () => {
    useLiveStore.setState({
      firing: [alert('redis', null), alert('postgres', '2026-01-01T00:01:00Z')],
    });
    render(<NavBar />);
    expect(screen.getByRole('link', { name: /Alerts/ }).textContent).toBe('Alerts1');
  });

  it('disappears once every firing alert is acknowledged', () => {
    useLiveStore.setState({ firing: [alert('redis', '2026-01-01T00:01:00Z')] });
    render(<NavBar />);
    expect(screen.getByRole('link', { name: /Alerts/ }).textContent).toBe('Alerts');
  });
});
