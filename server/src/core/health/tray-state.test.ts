import { describe, expect, it } from 'vitest';
import type { ServiceHealth, StackHealth } from '../../contract/health.js';
import { serviceHealth } from './service-health.test-support.js';
import { trayFromHealth } from './tray-state.js';

const svc = (
  service: string,
  state: ServiceHealth['state'],
  exitCode: number | null = null,
): ServiceHealth => serviceHealth(service, { state, exitCode });
const health = (
  status: StackHealth['status'],
  reason: string,
  services: ServiceHealth[],
): StackHealth => ({
  status,
  reason,
  services,
  at: '2026-01-01T00:00:00Z',
});

describe('the tray state', () => {
  it('is green with a count when everything is healthy, ignoring finished jobs', () => {
    const tray = trayFromHealth(
      health('healthy', 'Every service is healthy.', [
        svc('postgres', 'healthy'),
        svc('migrate', 'exited', 0),
        svc('nginx', 'healthy'),
      ]),
      'http://localhost:8080/',
    );
    expect(tray).toEqual({
      type: 'tray.changed',
      state: 'healthy',
      tooltip: 'MediaNest: all 2 services healthy',
      problems: [],
      mediaNestUrl: 'http://localhost:8080/',
    });
  });

  it('lists the problems of a degraded stack, most important first', () => {
    const tray = trayFromHealth(
      health('degraded', 'redis exited with code 137; backend is starting.', [
        svc('redis', 'exited', 137),
        svc('backend', 'starting'),
        svc('nginx', 'healthy'),
      ]),
    );
    expect(tray.state).toBe('degraded');
    expect(tray.tooltip).toBe('MediaNest: 1 of 3 services healthy');
    expect(tray.problems).toEqual(['redis exited with code 137', 'backend is starting']);
  });

  it('shows a lost engine, and a stopped stack, as unknown (grey), without stale problems', () => {
    expect(
      trayFromHealth(
        health('unknown', 'The Docker engine is not reachable (ECONNREFUSED); reconnecting.', []),
      ).state,
    ).toBe('unknown');
    const stopped = trayFromHealth(
      health('stopped', 'Every service is stopped.', [svc('nginx', 'exited', 0)]),
    );
    expect(stopped).toMatchObject({
      state: 'unknown',
      tooltip: 'MediaNest is stopped',
      problems: [],
    });
    expect(trayFromHealth(health('stopped', 'The stack is not installed.', [])).tooltip).toBe(
      'MediaNest is not installed yet',
    );
  });
});
