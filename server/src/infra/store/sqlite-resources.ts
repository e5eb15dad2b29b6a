import type { ResourcePoint } from '../../contract/resources-routes.js';
import {
  bucketStart,
  type ResourceBucket,
  type ResourceHistoryStore,
  type ResourceTier,
} from '../../core/health/resources-history.js';
import type { Db } from './database.js';

interface PointRow {
  start: number;
  count: number;
  cpu_sum: number;
  cpu_max: number;
  memory_sum: number;
  memory_max: number;
  memory_limit: number;
  network_rx: number;
  network_tx: number;
  block_read: number;
  block_write: number;
}

/** Resource history in the appliance database: every tier in one table, pruned on each write. */
export class SqliteResourceHistory implements ResourceHistoryStore {
  private readonly upsert;
  private readonly prune;
  private readonly select;
  private readonly write;
  private readonly count;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO resource_points (step, service, start, count, cpu_sum, cpu_max, memory_sum,
         memory_max, memory_limit, network_rx, network_tx, block_read, block_write)
       VALUES (@step, @service, @start, @count, @cpuSum, @cpuMax, @memorySum, @memoryMax,
         @memoryLimit, @networkRx, @networkTx, @blockRead, @blockWrite)
       ON CONFLICT (step, service, start) DO UPDATE SET
         count = count + excluded.count,
         cpu_sum = cpu_sum + excluded.cpu_sum,
         cpu_max = max(cpu_max, excluded.cpu_max),
         memory_sum = memory_sum + excluded.memory_sum,
         memory_max = max(memory_max, excluded.memory_max),
         memory_limit = excluded.memory_limit,
         network_rx = excluded.network_rx,
         network_tx = excluded.network_tx,
         block_read = excluded.block_read,
         block_write = excluded.block_write`,
    );
    // Older than the tier keeps, or (after the clock went back) in the future.
    this.prune = db.prepare(
      'DELETE FROM resource_points WHERE step = ? AND (start < ? OR start > ?)',
    );
    this.select = db.prepare(
      `SELECT start, count, cpu_sum, cpu_max, memory_sum, memory_max, memory_limit, network_rx,
         network_tx, block_read, block_write
       FROM resource_points WHERE step = ? AND service = ? AND start >= ? ORDER BY start`,
    );
    this.count = db.prepare('SELECT step, count(*) AS n FROM resource_points GROUP BY step');
    this.write = db.transaction(
      (buckets: readonly ResourceBucket[], tiers: readonly ResourceTier[], now: number) => {
        for (const tier of tiers) {
          for (const b of buckets) {
            this.upsert.run({
              ...b,
              step: tier.stepSeconds,
              start: bucketStart(b.start, tier.stepSeconds),
            });
          }
          this.prune.run(tier.stepSeconds, now - tier.keepSeconds, now + tier.stepSeconds);
        }
      },
    );
  }

  record(
    buckets: readonly ResourceBucket[],
    tiers: readonly ResourceTier[],
    nowSeconds: number,
  ): void {
    this.write(buckets, tiers, nowSeconds);
  }

  points(service: string, stepSeconds: number, fromSeconds: number): ResourcePoint[] {
    const rows = this.select.all(stepSeconds, service, fromSeconds) as PointRow[];
    return rows.map((r) => ({
      at: new Date(r.start * 1000).toISOString(),
      cpuPercentAvg: r.cpu_sum / r.count,
      cpuPercentMax: r.cpu_max,
      memoryBytesAvg: r.memory_sum / r.count,
      memoryBytesMax: r.memory_max,
      memoryLimitBytes: r.memory_limit,
      networkRxBytes: r.network_rx,
      networkTxBytes: r.network_tx,
      blockReadBytes: r.block_read,
      blockWriteBytes: r.block_write,
    }));
  }

  /** Rows kept per tier (step in seconds), to check the bound. */
  size(): Map<number, number> {
    const rows = this.count.all() as Array<{ step: number; n: number }>;
    return new Map(rows.map((r) => [r.step, r.n]));
  }
}
