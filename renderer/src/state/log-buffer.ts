import type { LogLine, LogLineLevel } from '@contract';

export type LevelFilter = 'all' | LogLineLevel;

const RANK: Record<LogLineLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Lines at `level` or above; lines without a level only when showing everything. */
export function levelFilter(level: LevelFilter): (line: LogLine) => boolean {
  if (level === 'all') return () => true;
  const min = RANK[level];
  return (line) => line.level !== undefined && RANK[line.level] >= min;
}

/**
 * The lines a log view holds: at most `cap` (the oldest go first), plus the ones that pass the
 * current filter, kept up to date as lines arrive instead of re-filtering everything per frame.
 * Trimming happens in slices of a tenth of the cap, so a burst costs one copy, not one per line.
 */
export class LogBuffer {
  private all: LogLine[] = [];
  private shown: LogLine[] = [];
  private accept: (line: LogLine) => boolean = () => true;
  /** Lines dropped from the front since the last clear (the oldest ones). */
  dropped = 0;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new Error('cap must be a positive integer');
  }

  push(lines: readonly LogLine[]): void {
    for (const line of lines) {
      this.all.push(line);
      if (this.accept(line)) this.shown.push(line);
    }
    const slack = Math.max(1, Math.floor(this.cap / 10));
    if (this.all.length > this.cap + slack) {
      const excess = this.all.length - this.cap;
      this.dropped += excess;
      this.all.splice(0, excess);
    }
    if (this.shown.length > this.cap + slack) this.shown.splice(0, this.shown.length - this.cap);
  }

  setFilter(accept: (line: LogLine) => boolean): void {
    this.accept = accept;
    this.shown = this.all.filter(accept);
  }

  clear(): void {
    this.all = [];
    this.shown = [];
    this.dropped = 0;
  }

  /** Every line held, oldest first. */
  get size(): number {
    return this.all.length;
  }

  /** The lines that pass the filter, oldest first. */
  get rows(): readonly LogLine[] {
    return this.shown;
  }
}
