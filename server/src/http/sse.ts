import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a closed stream may keep its unsent bytes before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

export interface SseResponseOptions {
  /** Written first, before anything else (a comment, a `retry:` hint). */
  hello: string;
  /** A heartbeat frame every `heartbeatMs`, so proxies and clients see the stream is alive. */
  heartbeatMs: number;
  heartbeat: () => string;
  /**
   * Unsent bytes at or above which the stream counts as `full`: its writer waits for `drained`,
   * and heartbeats are skipped (they would only add to the pile).
   */
  highWaterBytes?: number;
  /** A client whose unsent bytes exceed this, or that has not drained for `maxStallMs`, is cut off. */
  cutOff?: {
    maxBufferedBytes: number;
    maxStallMs: number;
    /** The last frame it is sent. */
    frame: () => string;
    onCutOff: (info: { bufferedBytes: number; stalledMs: number }) => void;
  };
  now?: () => number;
}

/**
 * One `text/event-stream` response, for both streams (events, log follow): the headers, the
 * heartbeat, and back-pressure. A client that does not read leaves bytes on the socket; the stream
 * either pauses its writer (`full`, `drained`) or cuts the client off, so the server never
 * buffers without bound.
 */
export class SseResponse {
  private stalledSince: number | undefined;
  private ended = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly now: () => number;

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: SseResponseOptions,
  ) {
    this.now = options.now ?? Date.now;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    res.on('drain', () => (this.stalledSince = undefined));
    this.heartbeat = setInterval(() => {
      if (!this.full) this.write(options.heartbeat());
    }, options.heartbeatMs);
    this.heartbeat.unref();
    res.once('close', () => this.detach());
    this.write(options.hello);
  }

  /** Unsent bytes on the socket. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  /** Gone, or closed by this side: nothing more is written. */
  get closed(): boolean {
    return this.ended || this.res.destroyed;
  }

  /** At or above the high-water mark: wait for `drained` before writing more. */
  get full(): boolean {
    const highWater = this.options.highWaterBytes;
    return highWater !== undefined && this.res.writableLength >= highWater;
  }

  /** Calls `then` once the socket has taken its unsent bytes, or the client has gone. */
  drained(then: () => void): void {
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      this.res.off('drain', once);
      this.res.off('close', once);
      then();
    };
    this.res.once('drain', once);
    this.res.once('close', once);
  }

  write(frame: string): void {
    if (this.closed) return;
    if (!this.res.write(frame)) this.stalledSince ??= this.now();
    this.checkPace();
  }

  /**
   * Ends the response, with `frame` last. With `dropSlowClient`, a client that has not read it
   * within a second loses its socket: it would otherwise hold the unsent bytes forever.
   */
  end(frame?: string, dropSlowClient = false): void {
    if (this.closed) return;
    this.detach();
    this.res.end(frame);
    if (!dropSlowClient) return;
    const timer = setTimeout(() => this.res.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.res.once('close', () => clearTimeout(timer));
  }

  private detach(): void {
    this.ended = true;
    clearInterval(this.heartbeat);
  }

  private checkPace(): void {
    const cutOff = this.options.cutOff;
    if (!cutOff || this.closed) return;
    const stalledMs = this.stalledSince === undefined ? 0 : this.now() - this.stalledSince;
    if (this.res.writableLength > cutOff.maxBufferedBytes || stalledMs > cutOff.maxStallMs) {
      cutOff.onCutOff({ bufferedBytes: this.res.writableLength, stalledMs });
      this.end(cutOff.frame(), true);
    }
  }
}
