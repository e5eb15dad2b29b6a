/**
 * The engine, as the log view reads it. Times are RFC 3339 UTC with exactly nine fractional digits
 * (`2025-01-02T03:04:05.000000001Z`), so they order as strings; the implementation normalises the
 * engine's own format (which trims trailing zeros) before handing a line over.
 */
export interface LogSource {
  id: string;
  /** Container name, without the leading slash. */
  name: string;
  service: string;
  running: boolean;
  /** A TTY container's output is one raw stream, not multiplexed frames. */
  tty: boolean;
}

/** One line as the engine stored it: its timestamp, its stream, its text without the newline. */
export interface EngineLogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogReadOptions {
  /** The last N lines of this container; all when absent. */
  tail?: number;
  /** Lines at or after this time (normalised form). */
  since?: string;
  /** Lines before this time (normalised form). */
  until?: string;
}

export type LogContainerEvent = {
  kind: 'start' | 'die' | 'destroy';
  containerId: string;
  service: string;
  name: string;
};

export interface LogWatch {
  /** Settles when the watch ends (signal aborted, or the engine closed the stream). */
  done: Promise<void>;
}

export interface LogGateway {
  /** Every container of the compose project (one-off containers excluded). */
  listSources(project: string): Promise<LogSource[]>;
  /** A finished read of the retained log, in the engine's order. */
  read(source: LogSource, options: LogReadOptions): Promise<EngineLogLine[]>;
  /**
   * The same finished read, in batches as the engine sends them, so a search or an export never
   * holds a long log at once. Ends when the engine has sent everything (it does not follow);
   * stopping the iteration early closes the engine's response.
   */
  scan(source: LogSource, options: LogReadOptions): AsyncIterable<EngineLogLine[]>;
  /**
   * Follows one container until it stops or the signal aborts, yielding lines in batches as they
   * arrive (one batch per chunk the engine sends: per-line async iteration costs too much at 40k/s).
   */
  follow(
    source: LogSource,
    options: LogReadOptions,
    signal: AbortSignal,
  ): AsyncIterable<EngineLogLine[]>;
  inspect(containerId: string): Promise<LogSource | undefined>;
  /** Resolves once subscribed to the project's container events, so no start falls in between. */
  watch(
    project: string,
    onEvent: (event: LogContainerEvent) => void,
    signal: AbortSignal,
  ): Promise<LogWatch>;
}
