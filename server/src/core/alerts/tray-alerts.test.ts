import { describe, expect, it } from 'vitest';
import type { TrayChanged } from '../../contract/tray.js';
import { trayWithAlerts } from '../health/tray-state.js';

const tray = (over: Partial<TrayChanged> = {}): TrayChanged => ({
  type: 'tray.changed',
  state: 'healthy',
  tooltip: 'MediaNest: all 6 services healthy',
  problems: [],
  ...over,
});

describe('the tray with firing alerts', () => {
  it('lists unacknowledged alerts after the health problems and turns healthy into degraded', () => {
    const out = trayWithAlerts(tray(), [
      { title: 'The data disk is almost full', acknowledgedAt: null },
      { title: 'No backup yet', acknowledgedAt: '2026-01-01T00:00:00Z' },
    ]);
    expect(out).toMatchObject({
      state: 'degraded',
      tooltip: 'MediaNest: all 6 services healthy; 1 alert',
      problems: ['The data disk is almost full'],
    });
  });

  it('keeps a worse state and does not repeat a problem', () => {
    const base = tray({
      state: 'down',
      tooltip: 'MediaNest: 0 of 6',
      problems: ['redis is stopped'],
    });
    const out = trayWithAlerts(base, [
      { title: 'redis is stopped', acknowledgedAt: null },
      { title: 'redis keeps crashing', acknowledgedAt: null },
    ]);
    expect(out).toMatchObject({
      state: 'down',
      problems: ['redis is stopped', 'redis keeps crashing'],
    });
    expect(trayWithAlerts(tray(), [])).toEqual(tray());
  });
});
