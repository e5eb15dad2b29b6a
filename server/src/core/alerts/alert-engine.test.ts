import { describe, expect, it } from 'vitest';
import { serviceHealth as svc } from '../health/service-health.test-support.js';
import { alertRig, T0, withSlowInputs } from './alert-engine.test-support.js';

describe('the alert rules', () => {
  it('fire "unhealthy" only after N seconds, once however long it lasts, and resolve when it clears', () => {
    const r = alertRig({ serviceUnhealthy: { afterSeconds: 60 } });
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
    const r = alertRig({ crashLoop: { restarts: 3, withinSeconds: 60 } });
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
    const r = alertRig({ exitedNonZero: { enabled: false } });
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
    const r = alertRig(
      { exitedNonZero: { afterSeconds: 10 }, serviceStopped: { afterSeconds: 30 } },
      ['migrate'],
    );
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
    const r = alertRig({ serviceStopped: { afterSeconds: 30 } }, ['migrate']);
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
    const r = alertRig({ memoryHigh: { percent: 90, forSeconds: 120 } });
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
    const r = alertRig({ diskLow: { minFreePercent: 10 }, backupStale: { graceHours: 12 } });
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
    const r = alertRig();
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
