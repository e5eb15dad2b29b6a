import type { LogLine } from '../../contract/logs-routes.js';
import type { EngineLogLine, LogGateway, LogReadOptions, LogSource } from './log-gateway.js';
import { mergeByTime, ReorderWindow } from './merge.js';
import { ResumePoint } from './resume-point.js';
import { fromDate } from './time.js';

export interface StackFollowOptions {
  project: string;
  /** Only these services; all when empty. */
  services: readonly string[];
  /** Lines of history per container before the live lines (default 0). */
  tail?: number;
  since?: string;
  /** How long a line waits for lines of other containers with earlier times (default 50 ms). */
  windowMs?: number;
}

interface Followed {
  source: LogSource;
  resume: ResumePoint;
  open: boolean;
  /** A start arrived while the stream was still open: check again when it ends. */
  recheck: boolean;
}

/**
 * The live merged log of a stack: one engine follow per container, merged by time through a short
 * reorder window. A container that stops and starts again is reopened from the last line taken
 * (see ResumePoint: no gap, no duplicate); a container created during the follow (a recreated
 * service) is followed from its first line.
 */
export class StackFollow {
  private readonly followed = new Map<string, Followed>();
  private readonly window: ReorderWindow<LogLine>;
  private readonly running = new Set<Promise<void>>();
  private startedAt = '';
  /** Live lines wait in the window until the history block has gone out, so it comes first. */
  private historySent = false;

  constructor(
    private readonly gateway: LogGateway,
    private readonly options: StackFollowOptions,
    /** Turns an engine line into a shown line (masking, level). */
    private readonly toLine: (source: LogSource, line: EngineLogLine) => LogLine,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.window = new ReorderWindow(options.windowMs ?? 50);
  }

  private wanted(service: string): boolean {
    return this.options.services.length === 0 || this.options.services.includes(service);
  }

  /** Follows until the signal aborts, handing merged lines to `sink` in time order. */
  async run(sink: (lines: LogLine[]) => void, signal: AbortSignal): Promise<void> {
    this.startedAt = this.options.since ?? fromDate(this.now());
    const tick = setInterval(
      () => {
        if (!this.historySent) return;
        const lines = this.window.flush();
        if (lines.length > 0) sink(lines);
      },
      Math.max(10, Math.floor((this.options.windowMs ?? 50) / 2)),
    );
    try {
      // Subscribe first, then list: a container starting in between is seen by one or the other.
      const watch = await this.gateway.watch(
        this.options.project,
        (event) => {
          if (event.kind !== 'start' || !this.wanted(event.service)) return;
          const known = this.followed.get(event.containerId);
          if (known) {
            if (known.open) known.recheck = true;
            else this.open(known, signal, this.resumeOptions(known));
            return;
          }
          this.track(
            {
              id: event.containerId,
              name: event.name,
              service: event.service,
              running: true,
              tty: false,
            },
            {},
            signal,
            true,
          );
        },
        signal,
      );
      const initial: LogReadOptions = {
        ...(this.options.since !== undefined ? { since: this.options.since } : {}),
        ...(this.options.since === undefined ? { tail: this.options.tail ?? 0 } : {}),
      };
      const sources = (await this.gateway.listSources(this.options.project)).filter(
        (source) => this.wanted(source.service) && !this.followed.has(source.id),
      );
      await this.sendHistory(sources, initial, sink, signal);
      await Promise.race([
        watch.done,
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        ),
      ]);
    } finally {
      clearInterval(tick);
      await Promise.allSettled([...this.running]);
      const rest = this.window.flush(true);
      if (rest.length > 0 && !signal.aborted) sink(rest);
    }
  }

  /**
   * The history (tail or since) of the containers present at the start, read from every one of
   * them before any is sent, merged by time into one block; each container's follow then continues
   * from its last history line (ResumePoint: no gap, no duplicate). Sending each container's history
   * as its follow delivered it let a slow container's older lines come after a faster one's newer.
   */
  private async sendHistory(
    sources: readonly LogSource[],
    initial: LogReadOptions,
    sink: (lines: LogLine[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const wantsHistory = initial.since !== undefined || (initial.tail ?? 0) > 0;
    const entries = sources.map((source) => {
      // Counted as open from now: a start event during the read must not open a second follow.
      const entry: Followed = { source, resume: new ResumePoint(), open: true, recheck: false };
      this.followed.set(source.id, entry);
      return entry;
    });
    const read = async (entry: Followed): Promise<LogLine[]> => {
      try {
        return (await this.gateway.read(entry.source, initial))
          .filter((raw) => entry.resume.accept(raw.time))
          .map((raw) => this.toLine(entry.source, raw));
      } catch (error) {
        // One container's history failing (removed meanwhile) does not end the others' follow.
        if (!signal.aborted) this.onError(error);
        return [];
      }
    };
    try {
      const lists = wantsHistory ? await Promise.all(entries.map(read)) : [];
      const history = mergeByTime(lists);
      if (history.length > 0 && !signal.aborted) sink(history);
    } finally {
      this.historySent = true;
    }
    for (const entry of entries) {
      // No history line: the engine's own initial range (any line written since the read is live).
      this.open(
        entry,
        signal,
        entry.resume.time === undefined ? initial : this.resumeOptions(entry),
      );
    }
  }

  /** Where a reopened container continues: the engine resends the last time's lines, skipped here. */
  private resumeOptions(entry: Followed): LogReadOptions {
    entry.resume.reopen();
    // Nothing taken yet: resume from when the follow began, not from the container's first line.
    return { since: entry.resume.time ?? this.startedAt };
  }

  private track(
    source: LogSource,
    initial: LogReadOptions,
    signal: AbortSignal,
    fromEvent: boolean,
  ): void {
    const entry: Followed = { source, resume: new ResumePoint(), open: false, recheck: false };
    this.followed.set(source.id, entry);
    const first = async (): Promise<void> => {
      // A container seen first through its start event: learn whether it has a TTY.
      if (fromEvent) entry.source = (await this.gateway.inspect(source.id)) ?? source;
    };
    this.open(entry, signal, initial, first);
  }

  private open(
    entry: Followed,
    signal: AbortSignal,
    initial: LogReadOptions = {},
    before: () => Promise<void> = async () => undefined,
  ): void {
    entry.open = true;
    const task = (async () => {
      await before();
      let options = initial;
      for (;;) {
        if (signal.aborted) return;
        entry.recheck = false;
        for await (const batch of this.gateway.follow(entry.source, options, signal)) {
          const fresh: LogLine[] = [];
          for (const raw of batch) {
            if (entry.resume.accept(raw.time)) fresh.push(this.toLine(entry.source, raw));
          }
          if (fresh.length > 0) this.window.add(fresh);
        }
        if (signal.aborted) return;
        // The stream ends when the container stops; it may already be running again.
        const now = await this.gateway.inspect(entry.source.id);
        if (!now) return;
        if (!entry.recheck && !now.running) return;
        options = this.resumeOptions(entry);
      }
    })()
      .catch((error: unknown) => {
        if (!signal.aborted) this.onError(error);
      })
      .finally(() => {
        entry.open = false;
        this.running.delete(task);
      });
    this.running.add(task);
  }
}
