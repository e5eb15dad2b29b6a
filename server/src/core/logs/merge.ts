/** Anything with a normalised time (see log-gateway.ts): strings compare as times. */
interface Timed {
  time: string;
}

/**
 * Merges per-container logs (each already in the engine's order) into one, ordered by time. A
 * k-way merge, so one container's lines keep their order even where two share a timestamp.
 */
export function mergeByTime<T extends Timed>(lists: ReadonlyArray<readonly T[]>): T[] {
  const heads = lists.map(() => 0);
  const total = lists.reduce((n, list) => n + list.length, 0);
  const out: T[] = new Array<T>(total);
  for (let k = 0; k < total; k++) {
    let best = -1;
    let bestTime = '';
    for (let i = 0; i < lists.length; i++) {
      const line = lists[i]?.[heads[i] ?? 0];
      if (line && (best === -1 || line.time < bestTime)) {
        best = i;
        bestTime = line.time;
      }
    }
    const list = lists[best];
    const head = heads[best] ?? 0;
    heads[best] = head + 1;
    out[k] = list?.[head] as T;
  }
  return out;
}

/**
 * Live lines from several containers arrive a little out of step: each waits `windowMs` here, then
 * leaves sorted by time (stable, so a container's own order is kept). A line that arrives later
 * than the window is still delivered (never dropped), just after lines that are newer.
 */
export class ReorderWindow<T extends Timed> {
  private pending: Array<{ line: T; at: number; seq: number }> = [];
  private seq = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  add(lines: readonly T[]): void {
    const at = this.now();
    for (const line of lines) this.pending.push({ line, at, seq: this.seq++ });
  }

  /** Lines that waited the window out (all of them with `all`), in time order. */
  flush(all = false): T[] {
    if (this.pending.length === 0) return [];
    const cutoff = all ? Infinity : this.now() - this.windowMs;
    const ready: typeof this.pending = [];
    const waiting: typeof this.pending = [];
    for (const entry of this.pending) (entry.at <= cutoff ? ready : waiting).push(entry);
    this.pending = waiting;
    ready.sort((a, b) =>
      a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : a.seq - b.seq,
    );
    return ready.map((entry) => entry.line);
  }
}
