import { describe, expect, it } from 'vitest';
import { AlertSettingsSchema, type Alert, type AlertSettingsInput } from '../../contract/alerts.js';
import type { DomainEvent } from '../../contract/events.js';
import type { ServiceHealth } from '../../contract/health.js';
import { serviceHealth as svc } from '../health/service-health.test-support.js';
import { AlertEngine } from './alert-engine.js';
import { MemoryAlertStore } from './memory-alert-store.test-support.js';
import type { SlowInputs } from './rules.js';

const T0 = Date.parse('2026-06-10T12:00:00Z');

/** An engine on a fake clock, with everything it publishes and delivers recorded. */
function rig(settings: AlertSettingsInput = {}, oneShot: string[] = []) {
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
function withSlowInputs(slow: SlowInputs, settings: AlertSettingsInput = {}) {
  const r = rig(settings);
  r.status('healthy');
  r.engine.setSlowInputs(slow);
  return r;
}

describe('the alert rules', () => {
  it('fire "unhealthy" only after N seconds, once however long it lasts, and resolve when it clears', () => {
    const r = rig({ serviceUnhealthy: { afterSeconds: 60 } });
    r.status('healthy');
    r.service(svc('redis'));
    r.status('degraded');
    r.service(svc('redis', { state: 'unhealthy', lastCheck: 'NOAUTH' }));
    r.advance(59_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(2_000);
    r.advance(30_000);
    r.advance(300_000);
    expect(r.store.firing()).toMatchObject([
      {
        rule: 'service-unhealthy',
        subject: 'redis',
        title: 'redis is unhealthy',
        page: '/services/redis',
      },
    ]);
    expect(r.store.alerts).toHaveLength(1);
    expect(r.raised()).toHaveLength(1);
    r.service(svc('redis', { state: 'healthy' }));
    r.status('healthy');
    r.advance(5_000);
    expect(r.store.firing()).toHaveLength(1); // still inside the hold
    r.advance(6_000);
    expect(r.store.firing()).toEqual([]);
    expect(r.store.alerts[0]?.state).toBe('resolved');
    expect(r.store.alerts[0]?.resolvedAt).toBe(
      new Date(T0 + 61_000 + 330_000 + 11_000).toISOString(),
    );
    expect(r.changes('resolved')).toHaveLength(1);
    expect(r.delivered.map((d) => d.change)).toEqual(['fired', 'resolved']);
  });

  it('see a crash loop in M restarts within T, and let it go when the window empties', () => {
    const r = rig({ crashLoop: { restarts: 3, withinSeconds: 60 } });
    r.status('degraded');
    r.service(svc('backend', { state: 'running' }));
    for (let n = 1; n <= 2; n++) {
      r.advance(5_000);
      r.service(svc('backend', { state: 'running', restarts: n }));
    }
    expect(r.store.firing()).toEqual([]);
    r.advance(5_000);
    r.service(svc('backend', { state: 'running', restarts: 3 }));
    expect(r.store.firing()).toMatchObject([{ rule: 'crash-loop', severity: 'critical' }]);
    r.advance(61_000);
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('report an OOM kill until the service runs again', () => {
    const r = rig({ exitedNonZero: { enabled: false } });
    r.status('degraded');
    r.service(svc('hog', { state: 'exited', exitCode: 137, oomKilled: true }));
    expect(r.store.firing()).toMatchObject([
      { rule: 'oom-killed', title: 'hog ran out of memory' },
    ]);
    // Docker keeps OOMKilled set on the container once it runs again.
    r.service(svc('hog', { state: 'running', oomKilled: true }));
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('report a non-zero exit after its grace, but not a stopped stack nor a one-shot job that succeeded', () => {
    const r = rig({ exitedNonZero: { afterSeconds: 10 }, serviceStopped: { afterSeconds: 30 } }, [
      'migrate',
    ]);
    r.status('healthy');
    r.service(svc('migrate', { state: 'exited', exitCode: 0 }));
    r.service(svc('redis'));
    r.service(svc('redis', { state: 'exited', exitCode: 137 }));
    r.status('degraded');
    r.advance(9_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(2_000);
    expect(r.store.firing()).toMatchObject([
      { rule: 'exited-nonzero', subject: 'redis', title: 'redis stopped with exit code 137' },
    ]);
    // The user stops everything: no alarm, and the one that fired resolves.
    r.status('stopped');
    r.advance(11_000);
    r.advance(60_000);
    expect(r.store.firing()).toEqual([]);
    expect(r.store.alerts.map((a) => a.subject)).toEqual(['redis']);
  });

  it('call a long-running service that stopped cleanly "stopped", but not a one-shot job', () => {
    const r = rig({ serviceStopped: { afterSeconds: 30 } }, ['migrate']);
    r.status('healthy');
    r.service(svc('backend'));
    r.service(svc('backend', { state: 'exited', exitCode: 0 }));
    r.service(svc('migrate', { state: 'exited', exitCode: 0 }));
    r.status('degraded');
    r.advance(31_000);
    expect(r.store.firing()).toMatchObject([{ rule: 'service-stopped', subject: 'backend' }]);
    r.service(svc('backend', { state: 'healthy' }));
    r.status('healthy');
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('fire on memory above X % of the limit for T, and clear below it', () => {
    const r = rig({ memoryHigh: { percent: 90, forSeconds: 120 } });
    r.status('healthy');
    r.service(svc('postgres'));
    const sample = (bytes: number): void =>
      r.engine.handle({
        type: 'resources.sampled',
        at: new Date().toISOString(),
        services: [
          {
            service: 'postgres',
            at: new Date().toISOString(),
            cpuPercent: 1,
            memoryBytes: bytes,
            memoryLimitBytes: 1000,
            networkRxBytes: 0,
            networkTxBytes: 0,
            blockReadBytes: 0,
            blockWriteBytes: 0,
          },
        ],
      });
    sample(950);
    r.advance(60_000);
    sample(960);
    r.advance(59_000);
    expect(r.store.firing()).toEqual([]);
    r.advance(2_000);
    expect(r.store.firing()).toMatchObject([{ rule: 'memory-high', subject: 'postgres' }]);
    expect(r.store.firing()[0]?.message).toContain('now 96 %');
    sample(500);
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('watch the data disk, the backup age and the certificate from the slow inputs', () => {
    const r = rig({ diskLow: { minFreePercent: 10 }, backupStale: { graceHours: 12 } });
    r.status('healthy');
    const day = 86_400_000;
    r.engine.setSlowInputs({
      disk: { freeBytes: 8e9, totalBytes: 100e9 },
      certificateNotAfter: new Date(T0 + 13 * day),
      backup: { lastSuccessAt: undefined, intervalMs: day, watchingSince: new Date(T0 - day) },
    });
    expect(
      r.store
        .firing()
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['disk-low', 'tls-expiring']);
    expect(r.store.firing().find((a) => a.rule === 'disk-low')?.severity).toBe('warning');
    r.advance(12 * 3_600_000 + 1000);
    expect(r.store.firing().find((a) => a.rule === 'backup-stale')?.title).toBe('No backup yet');
    r.engine.setSlowInputs({
      disk: { freeBytes: 50e9, totalBytes: 100e9 },
      certificateNotAfter: new Date(T0 + 90 * day),
      backup: { lastSuccessAt: new Date(), intervalMs: day, watchingSince: new Date(T0 - day) },
    });
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
  });

  it('tell of an update that was undone, or failed to be, for a week after it', () => {
    const record = (result: 'succeeded' | 'rolled-back' | 'failed', hoursAgo: number) => ({
      id: `u-${result}`,
      kind: 'update' as const,
      from: { backend: 'medianest/backend:v1', migrate: 'medianest/backend:v1' },
      to: { backend: 'medianest/backend:v2', migrate: 'medianest/backend:v2' },
      target: 'v2',
      startedAt: new Date(T0 - hoursAgo * 3_600_000).toISOString(),
      durationMs: 60_000,
      snapshotId: 'backup-20260610-115900',
      result,
      reason: 'migration 20251105000000_add_tag_colors failed: column "colour" does not exist',
    });
    const r = withSlowInputs({ lastUpdate: record('rolled-back', 1) });
    const [undone] = r.store.firing();
    expect(undone).toMatchObject({
      rule: 'update-rolled-back',
      subject: 'update',
      severity: 'warning',
      title: 'An update was undone',
    });
    expect(undone?.message).toContain('The update of backend and migrate to v2');
    expect(undone?.message).toContain('column "colour" does not exist');
    expect(undone?.message).toContain('runs the version it ran before');
    // A later successful update clears it; so does the week passing.
    r.engine.setSlowInputs({ lastUpdate: record('succeeded', 0) });
    r.advance(20_000);
    expect(r.store.firing()).toEqual([]);
    const old = withSlowInputs({ lastUpdate: record('rolled-back', 24 * 7 + 1) });
    expect(old.store.firing()).toEqual([]);
    // A rollback that failed too is critical and sends the user to the snapshot.
    const failed = withSlowInputs({ lastUpdate: record('failed', 2) });
    expect(failed.store.firing()[0]).toMatchObject({ severity: 'critical', page: '/backups' });
    expect(failed.store.firing()[0]?.message).toContain('backup-20260610-115900');
  });

  it("say why Let's Encrypt failed, and clear once certbot succeeds", () => {
    const r = rig();
    r.status('healthy');
    const day = 86_400_000;
    const attempt = (result: 'ok' | 'failed', command: 'certonly' | 'renew', output: string[]) => ({
      result,
      at: new Date(T0 - 60_000),
      command,
      exitCode: result === 'ok' ? 0 : 1,
      domain: 'media.example.org',
      retrySeconds: 3600,
      output,
    });
    const offline = [
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='acme-v02.api.letsencrypt.org', port=443): Max retries exceeded with url: /directory (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f00>: Failed to establish a new connection: [Errno -2] Name or service not known'))",
    ];
    r.engine.setSlowInputs({
      certificateNotAfter: new Date(T0 + 300 * day),
      letsEncrypt: attempt('failed', 'certonly', offline),
    });
    const [first] = r.store.firing();
    expect(first).toMatchObject({
      rule: 'tls-renewal-failed',
      subject: 'letsencrypt-issue',
      severity: 'warning',
      title: "Let's Encrypt cannot be reached",
      page: '/services/certbot',
    });
    expect(first?.message).toContain('no internet connection');
    expect(first?.message).toContain('self-signed certificate');
    expect(first?.message).toContain('every hour');
    // A renewal that fails keeps the current certificate: its end date is told.
    const renewal = withSlowInputs({
      certificateNotAfter: new Date(T0 + 20 * day),
      letsEncrypt: attempt('failed', 'renew', offline),
    });
    expect(renewal.store.firing()[0]?.message).toMatch(/was not renewed.*valid until 2026-06-30/);
    r.engine.setSlowInputs({
      certificateNotAfter: new Date(T0 + 90 * day),
      letsEncrypt: attempt('ok', 'renew', ['Congratulations, all renewals succeeded']),
    });
    r.advance(11_000);
    expect(r.store.firing()).toEqual([]);
    // Off in the settings: nothing.
    const quiet = withSlowInputs(
      { letsEncrypt: attempt('failed', 'certonly', offline) },
      { tlsRenewalFailed: { enabled: false } },
    );
    expect(quiet.store.firing()).toEqual([]);
  });
});

describe('the alert lifecycle', () => {
  it('keeps an acknowledged alert firing until its condition clears', () => {
    const r = rig();
    r.status('degraded');
    r.service(svc('hog', { state: 'exited', exitCode: 137, oomKilled: true }));
    const [alert] = r.store.firing();
    const acked = r.engine.acknowledge(alert!.id);
    expect(acked).toMatchObject({ state: 'firing', acknowledgedAt: new Date(T0).toISOString() });
    expect(r.changes('acknowledged')).toHaveLength(1);
    expect(() => r.engine.acknowledge('nope')).toThrow(/no alert nope/);
  });

  it('reopens an alert that comes back soon after resolving, without notifying again', () => {
    const r = rig({ exitedNonZero: { afterSeconds: 0 } });
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
    const r = rig();
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
    const r = rig({ exitedNonZero: { afterSeconds: 0 } });
    r.status('degraded');
    r.service(svc('redis', { state: 'exited', exitCode: 137 }));
    expect(r.store.firing()).toHaveLength(1);
    r.status('unknown');
    r.advance(60_000);
    expect(r.store.firing()).toHaveLength(1);
  });

  it('records alerts in quiet hours but holds their notifications until the end; critical ones pass', () => {
    const r = rig({
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
    const r = rig({
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
