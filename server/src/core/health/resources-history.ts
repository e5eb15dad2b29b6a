import type {
  ResourceHistory,
  ResourcePoint,
  ResourceRange,
  ResourceSample,
} from '../../contract/resources-routes.js';

/** One resolution of the history: how far apart its points are and how long they are kept. */
export interface ResourceTier {
  range: ResourceRange;
  stepSeconds: number;
  keepSeconds: number;
}

/** 10 s points for an hour, 1 min points for a day, 10 min points for 30 days. */
export const RESOURCE_TIERS: readonly ResourceTier[] = [
  { range: 'hour', stepSeconds: 10, keepSeconds: 3600 },
  { range: 'day', stepSeconds: 60, keepSeconds: 24 * 3600 },
  { range: 'month', stepSeconds: 600, keepSeconds: 30 * 24 * 3600 },
];

export function tierOf(range: ResourceRange): ResourceTier {
  const tier = RESOURCE_TIERS.find((t) => t.range === range);
  if (!tier) throw new Error(`no tier for ${range}`);
  return tier;
}

/** The readings of one service in one 10 s step, summed so coarser tiers can add them up. */
export interface ResourceBucket {
  service: string;
  /** Unix seconds, a multiple of 10. */
  start: number;
  count: number;
  cpuSum: number;
  cpuMax: number;
  memorySum: number;
  memoryMax: number;
  /** The last reading's values (a limit, and counters since the container started). */
  memoryLimit: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
}

/** Where history lives (SQLite in infra/store). */
export interface ResourceHistoryStore {
  /**
   * Adds 10 s buckets into every tier (sums and maxima add up; the last values win), then drops
   * what each tier no longer keeps at `nowSeconds`, so the size stays bounded.
   */
  record(
    buckets: readonly ResourceBucket[],
    tiers: readonly ResourceTier[],
    nowSeconds: number,
  ): void;
  /** The tier's points of one service from `fromSeconds` on, oldest first. */
  points(service: string, stepSeconds: number, fromSeconds: number): ResourcePoint[];
}

export function bucketStart(seconds: number, stepSeconds: number): number {
  return Math.floor(seconds / stepSeconds) * stepSeconds;
}

export function addToBucket(
  bucket: ResourceBucket | undefined,
  start: number,
  sample: ResourceSample,
): ResourceBucket {
  const base: ResourceBucket = bucket ?? {
    service: sample.service,
    start,
    count: 0,
    cpuSum: 0,
    cpuMax: 0,
    memorySum: 0,
    memoryMax: 0,
    memoryLimit: 0,
    networkRx: 0,
    networkTx: 0,
    blockRead: 0,
    blockWrite: 0,
  };
  return {
    ...base,
    count: base.count + 1,
    cpuSum: base.cpuSum + sample.cpuPercent,
    cpuMax: Math.max(base.cpuMax, sample.cpuPercent),
    memorySum: base.memorySum + sample.memoryBytes,
    memoryMax: Math.max(base.memoryMax, sample.memoryBytes),
    memoryLimit: sample.memoryLimitBytes,
    networkRx: sample.networkRxBytes,
    networkTx: sample.networkTxBytes,
    blockRead: sample.blockReadBytes,
    blockWrite: sample.blockWriteBytes,
  };
}

/**
 * Collects readings into 10 s buckets per service and hands each finished bucket to the store
 * once: one write per service every 10 s, however often the engine reports.
 */
export class ResourceHistoryRecorder {
  private readonly open = new Map<string, ResourceBucket>();
  private readonly base: ResourceTier;

  constructor(
    private readonly store: ResourceHistoryStore,
    private readonly nowSeconds: () => number,
    private readonly tiers: readonly ResourceTier[] = RESOURCE_TIERS,
  ) {
    const finest = [...tiers].sort((a, b) => a.stepSeconds - b.stepSeconds)[0];
    if (!finest) throw new Error('at least one tier is needed');
    this.base = finest;
  }

  add(sample: ResourceSample): void {
    const start = bucketStart(this.nowSeconds(), this.base.stepSeconds);
    const current = this.open.get(sample.service);
    if (current && current.start !== start) this.flush();
    const still = this.open.get(sample.service);
    this.open.set(
      sample.service,
      addToBucket(still?.start === start ? still : undefined, start, sample),
    );
  }

  /** Writes the buckets whose step has ended (all of them with `all`, e.g. when stopping). */
  flush(all = false): void {
    const now = this.nowSeconds();
    const done = [...this.open.values()].filter(
      (b) => all || b.start + this.base.stepSeconds <= now,
    );
    if (done.length === 0) return;
    for (const b of done) this.open.delete(b.service);
    this.store.record(done, this.tiers, now);
  }

  history(service: string, range: ResourceRange): ResourceHistory {
    const tier = this.tiers.find((t) => t.range === range) ?? tierOf(range);
    const from = this.nowSeconds() - tier.keepSeconds;
    return {
      service,
      range,
      stepSeconds: tier.stepSeconds,
      points: this.store.points(service, tier.stepSeconds, from),
    };
  }
}
