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

/**
 * `mergeByTime` over batches as they arrive: holds one batch per source, never a whole log. Ties
 * go to the earlier source, as there. Stopping the iteration early stops every source.
 */
export async function* mergeStreams<T extends Timed>(
  sources: ReadonlyArray<AsyncIterable<T[]>>,
  batchLines = 1000,
): AsyncGenerator<T[]> {
  const feeds = sources.map((source) => ({
    it: source[Symbol.asyncIterator](),
    batch: [] as T[],
    at: 0,
    done: false,
  }));
  type Feed = (typeof feeds)[number];
  const refill = async (feed: Feed): Promise<void> => {
    while (!feed.done && feed.at >= feed.batch.length) {
      const next = await feed.it.next();
      if (next.done) feed.done = true;
      else [feed.batch, feed.at] = [next.value, 0];
    }
  };
  try {
    await Promise.all(feeds.map(refill));
    let out: T[] = [];
    for (;;) {
      let best: Feed | undefined;
      for (const feed of feeds) {
        const line = feed.batch[feed.at];
        if (line && (!best || line.time < (best.batch[best.at] as T).time)) best = feed;
      }
      if (!best) break;
      out.push(best.batch[best.at++] as T);
      if (best.at >= best.batch.length) await refill(best);
      if (out.length >= batchLines) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    await Promise.all(feeds.map(async (feed) => feed.done || (await feed.it.return?.())));
  }
}
