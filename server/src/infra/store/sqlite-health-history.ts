import type {
  HealthHistoryEntry,
  HealthHistoryPage,
} from '../../contract/health-history-routes.js';
import type { Db } from './database.js';

interface HealthRow {
  id: number;
  service: string;
  state: string;
  previous: string | null;
  last_check: string | null;
  exit_code: number | null;
  oom_killed: number;
  deep_ok: number | null;
  deep_output: string | null;
  at: string;
}

const toEntry = (r: HealthRow): HealthHistoryEntry => ({
  id: r.id,
  service: r.service,
  state: r.state as HealthHistoryEntry['state'],
  previous: r.previous as HealthHistoryEntry['previous'],
  lastCheck: r.last_check,
  exitCode: r.exit_code,
  oomKilled: r.oom_killed === 1,
  deepCheck: r.deep_ok === null ? null : { ok: r.deep_ok === 1, output: r.deep_output ?? '' },
  at: r.at,
});

export interface HealthHistoryBounds {
  /** Rows kept at most over all services (default 5000). */
  maxRows: number;
  /** Rows older than this are dropped (default 30 days). */
  maxAgeMs: number;
}

export const HEALTH_HISTORY_BOUNDS: HealthHistoryBounds = {
  maxRows: 5000,
  maxAgeMs: 30 * 86_400_000,
};

/** The health transitions in appliance.db: bounded, pruned on every write. */
export class SqliteHealthHistory {
  readonly bounds: HealthHistoryBounds;

  constructor(
    private readonly db: Db,
    bounds: Partial<HealthHistoryBounds> = {},
  ) {
    this.bounds = { ...HEALTH_HISTORY_BOUNDS, ...bounds };
  }

  /** Stores one entry (its `id` is assigned), then drops what exceeds the bounds. */
  add(entry: Omit<HealthHistoryEntry, 'id'>): HealthHistoryEntry {
    const write = this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO health_history
             (service, state, previous, last_check, exit_code, oom_killed, deep_ok, deep_output, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.service,
          entry.state,
          entry.previous,
          entry.lastCheck,
          entry.exitCode,
          entry.oomKilled ? 1 : 0,
          entry.deepCheck === null ? null : entry.deepCheck.ok ? 1 : 0,
          entry.deepCheck?.output ?? null,
          entry.at,
        );
      const cutoff = new Date(Date.parse(entry.at) - this.bounds.maxAgeMs).toISOString();
      this.db.prepare('DELETE FROM health_history WHERE at < ?').run(cutoff);
      this.db
        .prepare(
          `DELETE FROM health_history WHERE id <= (
             SELECT id FROM health_history ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        )
        .run(this.bounds.maxRows);
      return Number(lastInsertRowid);
    });
    return { ...entry, id: write() };
  }

  /** One service's entries, newest first, older than `before` (an id) when given. */
  page(service: string, limit: number, before?: number): HealthHistoryPage {
    const rows = this.db
      .prepare(`SELECT * FROM health_history WHERE service = ? AND id < ? ORDER BY id DESC LIMIT ?`)
      .all(service, before ?? Number.MAX_SAFE_INTEGER, limit + 1) as HealthRow[];
    return { entries: rows.slice(0, limit).map(toEntry), more: rows.length > limit };
  }

  /** The newest entry of a service, if any. */
  latest(service: string): HealthHistoryEntry | undefined {
    return this.page(service, 1).entries[0];
  }
}
