import { describe, expect, it } from 'vitest';
import { AlertSettingsSchema, type Alert, type AlertSettingsInput } from '../../contract/alerts.js';
import type { AffectedServices, OverallStatus, ServiceHealth } from '../../contract/health.js';
import { serviceHealth } from '../health/service-health.test-support.js';
import { AlertEngine } from './alert-engine.js';
import { MemoryAlertStore } from './memory-alert-store.test-support.js';

const T0 = Date.parse('2026-06-10T12:00:00Z');

/** A service as the health model reports it: with the plan's flags. */
const svc = (service: string, over: Partial<ServiceHealth> = {}): ServiceHealth =>
  serviceHealth(service, { oneShot: false, essential: true, ...over });

/** An engine on a fake clock, fed as the health monitor feeds it (no one-shot list of its own). */
function rig(settings: AlertSettingsInput = {}, store = new MemoryAlertStore()) {
  let now = T0;
  const engine = new AlertEngine({
    store,
    settings: () => AlertSettingsSchema.parse(settings),
    now: () => new Date(now),
    publish: () => undefined,
    deliver: () => undefined,
    timeZone: 'UTC',
    resolveHoldMs: 10_000,
  });
  return {
    store,
    engine,
    service: (s: ServiceHealth) =>
      engine.handle({ type: 'service.state-changed', service: s, previous: null }),
    status: (status: OverallStatus, affected?: AffectedServices) =>
      engine.handle({
        type: 'stack.status-changed',
        status,
        reason: '',
        ...(affected ? { affected } : {}),
      }),
    /** Moves the clock on in ticks of 2 s, as the wiring's timer does. */
    advance: (ms: number) => {
      for (let left = ms; left > 0; left -= 2000) {
        now += Math.min(2000, left);
        engine.tick();
      }
    },
  };
}

describe('a one-shot job that finished (migrate, exit 0)', () => {
  it('raises nothing, even when its first report came before the plan said it was a job', () => {
    const r = rig();
    r.status('healthy');
    // Seen before the health monitor had read the plan (a first install): no flag yet.
    const { oneShot: _unknown, ...bare } = svc('migrate', { state: 'exited', exitCode: 0 });
    r.service(bare);
    r.service(svc('migrate', { state: 'exited', exitCode: 0, oneShot: true }));
    r.advance(120_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('resolves a "migrate is stopped" alert raised before (by an older version)', () => {
    const store = new MemoryAlertStore();
    const stale: Alert = {
      id: 'old',
      rule: 'service-stopped',
      subject: 'migrate',
      severity: 'warning',
      title: 'migrate is stopped',
      message: 'migrate is not running while the rest of the stack is.',
      page: '/services/migrate',
      state: 'firing',
      firedAt: new Date(T0 - 3_600_000).toISOString(),
      resolvedAt: null,
      acknowledgedAt: null,
      notifiedAt: null,
    };
    store.save(stale);
    const r = rig({}, store);
    r.status('healthy');
    r.service(svc('migrate', { state: 'exited', exitCode: 0, oneShot: true }));
    r.advance(120_000);
    expect(r.store.firing()).toEqual([]);
    expect(r.store.get('old')).toMatchObject({ state: 'resolved' });
  });

  it('is a real failure when it exits non-zero: critical, the backend cannot start without it', () => {
    const r = rig();
    r.status('down');
    r.service(svc('migrate', { state: 'exited', exitCode: 1, oneShot: true }));
    r.advance(12_000);
    expect(r.store.firing()).toMatchObject([
      {
        rule: 'exited-nonzero',
        subject: 'migrate',
        severity: 'critical',
        title: 'migrate stopped with exit code 1',
      },
    ]);
  });
});

describe('a service MediaNest needs (Redis, PostgreSQL, ...) is down', () => {
  it('is told within 15 s, critical, saying MediaNest does not work without it', () => {
    const r = rig();
    r.status('healthy');
    r.service(svc('redis'));
    r.service(svc('redis', { state: 'exited', exitCode: 0 }));
    r.status('down', { backend: ['redis'], frontend: ['redis'], nginx: ['redis'] });
    r.advance(8_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(6_000);
    const [alert, ...others] = r.store.firing();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      rule: 'service-stopped',
      subject: 'redis',
      severity: 'critical',
      title: 'redis is stopped',
    });
    expect(alert?.message).toContain('MediaNest does not work without it.');
  });

  it('raises no second alert for a service that fails only because of it', () => {
    const r = rig();
    r.status('healthy');
    r.service(svc('postgres'));
    r.service(svc('backend'));
    r.service(svc('postgres', { state: 'exited', exitCode: 137 }));
    r.service(svc('backend', { state: 'unhealthy' }));
    r.status('down', { backend: ['postgres'] });
    r.advance(300_000);
    expect(r.store.firing().map((a) => `${a.rule} ${a.subject} ${a.severity}`)).toEqual([
      'exited-nonzero postgres critical',
    ]);
  });

  it('is weighed like any service with the rule turned off', () => {
    const r = rig({ medianestDown: { enabled: false } });
    r.status('healthy');
    r.service(svc('redis', { state: 'exited', exitCode: 0 }));
    r.status('down');
    r.advance(30_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(32_000);
    expect(r.store.firing()).toMatchObject([{ rule: 'service-stopped', severity: 'warning' }]);
  });
});

describe('a service beside MediaNest (a devtools or monitoring extra)', () => {
  it('stopped, is a warning after the rule’s own minute', () => {
    const r = rig();
    r.status('healthy');
    r.service(svc('redis-commander', { essential: false }));
    r.service(svc('redis-commander', { state: 'exited', exitCode: 0, essential: false }));
    r.status('degraded');
    r.advance(58_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(4_000);
    expect(r.store.firing()).toMatchObject([
      { rule: 'service-stopped', subject: 'redis-commander', severity: 'warning' },
    ]);
  });
});

describe('while a job changes the stack (an install, a restore, a settings change)', () => {
  it('calls nothing "stopped" until it has ended and the delay has passed since', () => {
    const r = rig();
    r.status('down');
    r.engine.handle({ type: 'job.progressed', jobId: 'j1', kind: 'install', step: 'creating' });
    r.service(svc('nginx', { state: 'missing' }));
    r.advance(60_000);
    expect(r.store.firing()).toEqual([]);
    r.engine.handle({ type: 'job.finished', jobId: 'j1', kind: 'install', outcome: 'failed' });
    r.advance(8_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(4_000);
    expect(r.store.firing()).toMatchObject([{ rule: 'service-stopped', subject: 'nginx' }]);
  });

  it('but a backup, which only reads, holds nothing back', () => {
    const r = rig();
    r.status('healthy');
    r.engine.handle({ type: 'job.progressed', jobId: 'b1', kind: 'backup', step: 'dumping' });
    r.service(svc('redis'));
    r.service(svc('redis', { state: 'exited', exitCode: 0 }));
    r.status('down');
    r.advance(12_000);
    expect(r.store.firing()).toMatchObject([{ rule: 'service-stopped', subject: 'redis' }]);
  });
});
