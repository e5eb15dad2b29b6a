import type { Alert, AlertRuleId, AlertState, ChannelStatus } from '../../contract/alerts.js';
import type { AlertStore } from '../../core/alerts/alert-store.js';
import type { Db } from './database.js';

interface AlertRow {
  id: string;
  rule: string;
  subject: string;
  severity: string;
  title: string;
  message: string;
  page: string;
  state: string;
  fired_at: string;
  resolved_at: string | null;
  acknowledged_at: string | null;
  notified_at: string | null;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  rule: r.rule as Alert['rule'],
  subject: r.subject,
  severity: r.severity as Alert['severity'],
  title: r.title,
  message: r.message,
  page: r.page,
  state: r.state as AlertState,
  firedAt: r.fired_at,
  resolvedAt: r.resolved_at,
  acknowledgedAt: r.acknowledged_at,
  notifiedAt: r.notified_at,
});

/** Alerts kept in history at most; the oldest resolved ones go first, firing ones always stay. */
export const ALERT_HISTORY_LIMIT = 2000;

export class SqliteAlerts implements AlertStore {
  constructor(
    private readonly db: Db,
    private readonly limit = ALERT_HISTORY_LIMIT,
  ) {}

  firing(): Alert[] {
    const rows = this.db
      .prepare(`SELECT * FROM alerts WHERE state = 'firing' ORDER BY fired_at DESC, seq DESC`)
      .all() as AlertRow[];
    return rows.map(toAlert);
  }

  get(id: string): Alert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as
      AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  latest(rule: AlertRuleId, subject: string): Alert | undefined {
    const row = this.db
      .prepare('SELECT * FROM alerts WHERE rule = ? AND subject = ? ORDER BY seq DESC LIMIT 1')
      .get(rule, subject) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  save(a: Alert): void {
    const inserted = this.db
      .prepare(
        `INSERT INTO alerts (id, rule, subject, severity, title, message, page, state, fired_at,
                             resolved_at, acknowledged_at, notified_at)
         VALUES (@id, @rule, @subject, @severity, @title, @message, @page, @state, @firedAt,
                 @resolvedAt, @acknowledgedAt, @notifiedAt)
         ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, title = excluded.title,
           message = excluded.message, page = excluded.page, state = excluded.state,
           resolved_at = excluded.resolved_at, acknowledged_at = excluded.acknowledged_at,
           notified_at = excluded.notified_at`,
      )
      .run(a);
    if (inserted.changes > 0) this.prune();
  }

  page(query: { state?: AlertState; limit: number; offset: number }): {
    alerts: Alert[];
    total: number;
  } {
    const where = query.state ? 'WHERE state = @state' : '';
    const params = { state: query.state ?? null, limit: query.limit, offset: query.offset };
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${where} ORDER BY seq DESC LIMIT @limit OFFSET @offset`)
      .all(params) as AlertRow[];
    const { total } = this.db
      .prepare(`SELECT COUNT(*) AS total FROM alerts ${where}`)
      .get(query.state ? { state: query.state } : {}) as { total: number };
    return { alerts: rows.map(toAlert), total };
  }

  channelStatus(channelId: string): ChannelStatus {
    const row = this.db
      .prepare('SELECT * FROM alert_channel_status WHERE channel_id = ?')
      .get(channelId) as
      | {
          failing: number;
          last_success_at: string | null;
          last_error_at: string | null;
          last_error: string | null;
        }
      | undefined;
    return {
      failing: row?.failing === 1,
      lastSuccessAt: row?.last_success_at ?? null,
      lastErrorAt: row?.last_error_at ?? null,
      lastError: row?.last_error ?? null,
    };
  }

  setChannelStatus(channelId: string, s: ChannelStatus): void {
    this.db
      .prepare(
        `INSERT INTO alert_channel_status (channel_id, failing, last_success_at, last_error_at, last_error)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(channel_id) DO UPDATE SET failing = excluded.failing,
           last_success_at = excluded.last_success_at, last_error_at = excluded.last_error_at,
           last_error = excluded.last_error`,
      )
      .run(channelId, s.failing ? 1 : 0, s.lastSuccessAt, s.lastErrorAt, s.lastError);
  }

  private prune(): void {
    this.db
      .prepare(
        `DELETE FROM alerts WHERE state = 'resolved' AND seq <= (
           SELECT seq FROM alerts ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      )
      .run(this.limit);
  }
}
