import { describe, expect, it } from 'vitest';
import type { Alert } from '../../contract/alerts.js';
import { openDatabase } from './database.js';
import { SqliteAlerts } from './sqlite-alerts.js';
import { tempDatabases } from './temp-database.test-support.js';

const open = tempDatabases('mna-alerts-');

const alert = (n: number, over: Partial<Alert> = {}): Alert => ({
  id: `a${n}`,
  rule: 'exited-nonzero',
  subject: `s${n}`,
  severity: 'warning',
  title: `t${n}`,
  message: 'm',
  page: '/services',
  state: 'resolved',
  firedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  resolvedAt: new Date(Date.UTC(2026, 0, 1, 1, n)).toISOString(),
  acknowledgedAt: null,
  notifiedAt: null,
  ...over,
});

describe('the alert history in SQLite', () => {
  it('survives a restart, pages newest first, and updates in place', () => {
    const { db, path } = open();
    const store = new SqliteAlerts(db);
    for (let n = 1; n <= 5; n++)
      store.save(alert(n, n === 4 ? { state: 'firing', resolvedAt: null } : {}));
    store.save({ ...alert(2), acknowledgedAt: '2026-01-02T00:00:00.000Z' });
    db.close();
    const again = new SqliteAlerts(openDatabase(path));
    expect(again.firing().map((a) => a.id)).toEqual(['a4']);
    const page = again.page({ limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 5, alerts: [{ id: 'a4' }, { id: 'a3' }] });
    expect(again.page({ state: 'resolved', limit: 10, offset: 0 }).total).toBe(4);
    expect(again.get('a2')?.acknowledgedAt).toBe('2026-01-02T00:00:00.000Z');
    expect(again.latest('exited-nonzero', 's5')?.id).toBe('a5');
  });

  it('stays bounded: the oldest resolved alerts go, firing ones stay', () => {
    const { db } = open();
    const store = new SqliteAlerts(db, 10);
    store.save(alert(0, { state: 'firing', resolvedAt: null }));
    for (let n = 1; n <= 30; n++) store.save(alert(n));
    const all = store.page({ limit: 100, offset: 0 });
    expect(all.total).toBe(11);
    expect(all.alerts[0]?.id).toBe('a30');
    expect(store.firing().map((a) => a.id)).toEqual(['a0']);
  });

  it('keeps each channel delivery status', () => {
    const { db } = open();
    const store = new SqliteAlerts(db);
    expect(store.channelStatus('x')).toEqual({
      failing: false,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
    });
    const failing = { failing: true, lastSuccessAt: null, lastErrorAt: 't', lastError: 'HTTP 500' };
    store.setChannelStatus('x', failing);
    expect(store.channelStatus('x')).toEqual(failing);
  });
});
