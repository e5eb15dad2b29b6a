import { describe, expect, it } from 'vitest';
import type { Alert } from '../../contract/alerts.js';
import type { DomainEvent } from '../../contract/events.js';
import type { ServiceHealth, StackHealth } from '../../contract/health.js';
import { trayProjection } from './tray-projection.js';

const svc = (service: string, state: ServiceHealth['state']): ServiceHealth => ({
  service,
  state,
  lastCheck: null,
  restarts: 0,
  startedAt: null,
  exitCode: null,
  oomKilled: false,
});

function world() {
  const state = {
    health: {
      status: 'healthy',
      reason: 'Every service is healthy.',
      services: [svc('postgres', 'healthy'), svc('nginx', 'healthy')],
      at: '2026-01-01T00:00:00Z',
    } as StackHealth,
    firing: [] as Array<{ title: string; acknowledgedAt: string | null }>,
  };
  const project = trayProjection({
    health: () => state.health,
    mediaNestUrl: () => 'http://localhost:8080/',
    firing: () => state.firing,
  });
  return { state, project };
}

const statusChanged = (status: StackHealth['status'], reason: string): DomainEvent => ({
  type: 'stack.status-changed',
  status,
  reason,
});
const alertChanged = (change: 'fired' | 'resolved'): DomainEvent => ({
  type: 'alert.changed',
  change,
  alert: {} as Alert,
});

describe('the tray projection', () => {
  it('publishes nothing for alerts before the stack status is known, nor for other events', () => {
    const { state, project } = world();
    state.firing = [{ title: 'Disk almost full', acknowledgedAt: null }];
    expect(project(alertChanged('fired'))).toBeUndefined();
    expect(
      project({ type: 'service.state-changed', service: svc('nginx', 'healthy'), previous: null }),
    ).toBeUndefined();
  });

  it('turns a status change into the tray of the health snapshot, with the MediaNest address', () => {
    const { project } = world();
    expect(project(statusChanged('healthy', 'Every service is healthy.'))).toEqual({
      type: 'tray.changed',
      state: 'healthy',
      tooltip: 'MediaNest: all 2 services healthy',
      problems: [],
      mediaNestUrl: 'http://localhost:8080/',
    });
  });

  it('adds firing alerts the user has not acknowledged, and drops them once they resolve', () => {
    const { state, project } = world();
    project(statusChanged('healthy', 'Every service is healthy.'));
    state.firing = [
      { title: 'Disk almost full', acknowledgedAt: null },
      { title: 'Old news', acknowledgedAt: '2026-01-01T00:00:00Z' },
    ];
    const fired = project(alertChanged('fired'));
    expect(fired?.state).toBe('degraded');
    expect(fired?.problems).toEqual(['Disk almost full']);
    expect(fired?.tooltip).toBe('MediaNest: all 2 services healthy; 1 alert');
    state.firing = [];
    const resolved = project(alertChanged('resolved'));
    expect(resolved?.state).toBe('healthy');
    expect(resolved?.problems).toEqual([]);
  });

  it('keeps the stack problems first when the stack is down', () => {
    const { state, project } = world();
    state.health = {
      ...state.health,
      status: 'down',
      reason: 'redis exited.',
      services: [svc('postgres', 'healthy'), svc('redis', 'exited')],
    };
    state.firing = [{ title: 'redis is down', acknowledgedAt: null }];
    const tray = project(statusChanged('down', 'redis exited.'));
    expect(tray?.state).toBe('down');
    expect(tray?.problems).toEqual(['redis exited', 'redis is down']);
  });
});
