import { AlertSettingsSchema, type Alert, type AlertSettingsInput } from '../../contract/alerts.js';
import type { DomainEvent } from '../../contract/events.js';
import type { ServiceHealth } from '../../contract/health.js';
import { AlertEngine } from './alert-engine.js';
import { MemoryAlertStore } from './memory-alert-store.test-support.js';
import type { SlowInputs } from './rules.js';

export const T0 = Date.parse('2026-06-10T12:00:00Z');

/** An engine on a fake clock, with everything it publishes and delivers recorded. */
export function alertRig(settings: AlertSettingsInput = {}, oneShot: string[] = []) {
  let now = T0;
  const store = new MemoryAlertStore();
  const events: DomainEvent[] = [];
  const delivered: Array<{ alert: Alert; change: string }> = [];
  let ids = 0;
  const engine = new AlertEngine({
    store,
    settings: () => AlertSettingsSchema.parse(settings),
    now: () => new Date(now),
    publish: (e) => events.push(e),
    deliver: (alert, change) => delivered.push({ alert, change }),
    oneShot: (s) => oneShot.includes(s),
    timeZone: 'UTC',
    resolveHoldMs: 10_000,
    newId: () => `a${++ids}`,
  });
  const service = (s: ServiceHealth): void =>
    engine.handle({ type: 'service.state-changed', service: s, previous: null });
  const status = (s: 'healthy' | 'degraded' | 'down' | 'stopped' | 'unknown'): void =>
    engine.handle({ type: 'stack.status-changed', status: s, reason: '' });
  const advance = (ms: number): void => {
    now += ms;
    engine.tick();
  };
  const raised = () => events.filter((e) => e.type === 'alert.raised');
  const changes = (change: string) =>
    events.filter(
      (e): e is Extract<DomainEvent, { type: 'alert.changed' }> =>
        e.type === 'alert.changed' && e.change === change,
    );
  const setNow = (iso: string): void => {
    now = Date.parse(iso);
  };
  return { engine, store, events, delivered, service, status, advance, raised, changes, setNow };
}

/** A rig whose stack is healthy, with these slow inputs read. */
export function withSlowInputs(slow: SlowInputs, settings: AlertSettingsInput = {}) {
  const r = alertRig(settings);
  r.status('healthy');
  r.engine.setSlowInputs(slow);
  return r;
}
