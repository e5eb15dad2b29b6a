import { describe, expect, it } from 'vitest';
import { AlertSettingsSchema } from '../../contract/alerts.js';
import { serviceHealth as svc } from '../health/service-health.test-support.js';
import { AlertEngine } from './alert-engine.js';
import { alertRig, T0 } from './alert-engine.test-support.js';

describe('the alert lifecycle', () => {
  it('keeps an acknowledged alert firing until its condition clears', () => {
    const r = alertRig();
    r.status('degraded');
    r.service(svc('hog', { state: 'exited', exitCode: 137, oomKilled: true }));
    const [alert] = r.store.firing();
    const acked = r.engine.acknowledge(alert!.id);
    expect(acked).toMatchObject({ state: 'firing', acknowledgedAt: new Date(T0).toISOString() });
    expect(r.changes('acknowledged')).toHaveLength(1);
    expect(() => r.engine.acknowledge('nope')).toThrow(/no alert nope/);
  });

  it('reopens an alert that comes back soon after resolving, without notifying again', () => {
    const r = alertRig({ exitedNonZero: { afterSeconds: 0 } });
    r.status('degraded');
    r.service(svc('worker', { state: 'running' }));
    r.service(svc('worker', { state: 'exited', exitCode: 2 }));
    r.service(svc('worker', { state: 'running' }));
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(60_000);
    r.service(svc('worker', { state: 'exited', exitCode: 2 }));
    expect(r.store.alerts).toHaveLength(1);
    expect(r.store.firing()).toHaveLength(1);
    expect(r.raised()).toHaveLength(1);
  });

  it('after a restart, keeps the stored alerts of slow inputs until those are read again', () => {
    const r = alertRig();
    r.status('healthy');
    r.engine.setSlowInputs({ disk: { freeBytes: 1e9, totalBytes: 100e9 } });
    expect(r.store.firing()).toMatchObject([{ rule: 'disk-low', severity: 'critical' }]);
    const restarted = new AlertEngine({
      store: r.store,
      settings: () => AlertSettingsSchema.parse({}),
      now: () => new Date(T0 + 60_000),
      publish: () => undefined,
      deliver: () => undefined,
      resolveHoldMs: 0,
    });
    restarted.handle({ type: 'stack.status-changed', status: 'healthy', reason: '' });
    expect(r.store.firing()).toHaveLength(1);
    restarted.setSlowInputs({ disk: { freeBytes: 50e9, totalBytes: 100e9 } });
    expect(r.store.firing()).toEqual([]);
  });

  it('keeps service alerts as they are while the engine cannot be asked', () => {
    const r = alertRig({ exitedNonZero: { afterSeconds: 0 } });
    r.status('degraded');
    r.service(svc('redis', { state: 'exited', exitCode: 137 }));
    expect(r.store.firing()).toHaveLength(1);
    r.status('unknown');
    r.advance(60_000);
    expect(r.store.firing()).toHaveLength(1);
  });

  it('records alerts in quiet hours but holds their notifications until the end; critical ones pass', () => {
    const r = alertRig({
      quietHours: { enabled: true, start: '23:00', end: '07:00' },
      exitedNonZero: { afterSeconds: 0 },
      crashLoop: { restarts: 2, withinSeconds: 600 },
    });
    r.setNow('2026-06-10T23:30:00Z');
    r.status('degraded');
    r.service(svc('redis', { state: 'exited', exitCode: 137 }));
    expect(r.store.firing()).toMatchObject([{ rule: 'exited-nonzero', notifiedAt: null }]);
    expect(r.changes('fired')).toHaveLength(1);
    expect(r.raised()).toEqual([]);
    expect(r.delivered).toEqual([]);
    // A crash loop is critical: it goes out at once.
    r.service(svc('api', { state: 'running' }));
    r.service(svc('api', { state: 'running', restarts: 2 }));
    expect(r.raised()).toMatchObject([{ severity: 'critical' }]);
    r.setNow('2026-06-11T06:59:00Z');
    r.engine.tick();
    expect(r.raised()).toHaveLength(1);
    r.setNow('2026-06-11T07:00:00Z');
    r.engine.tick();
    expect(r.raised().map((e) => (e as { title: string }).title)).toEqual([
      'api keeps crashing',
      'redis stopped with exit code 137',
    ]);
    // The crash loop's window emptied overnight: it resolved, which channels hear about too.
    expect(r.delivered.map((d) => `${d.alert.subject} ${d.change}`)).toEqual([
      'api fired',
      'api resolved',
      'redis fired',
    ]);
  });

  it('never notifies an alert that fired and resolved inside quiet hours', () => {
    const r = alertRig({
      quietHours: { enabled: true, start: '22:00', end: '06:00', letCriticalThrough: false },
      exitedNonZero: { afterSeconds: 0 },
    });
    r.setNow('2026-06-10T23:00:00Z');
    r.status('degraded');
    r.service(svc('redis', { state: 'exited', exitCode: 1 }));
    r.service(svc('redis'));
    r.status('healthy');
    r.advance(11_000);
    r.setNow('2026-06-11T08:00:00Z');
    r.engine.tick();
    expect(r.store.alerts).toMatchObject([{ state: 'resolved', notifiedAt: null }]);
    expect(r.raised()).toEqual([]);
    expect(r.delivered).toEqual([]);
  });
});
