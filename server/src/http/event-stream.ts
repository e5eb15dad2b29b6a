import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerEvent, StreamClosedReason } from '../contract/events.js';
import { AppError } from '../core/app-error.js';
import type { EventBus, PublishedEvent } from '../core/events/event-bus.js';

export interface EventStreamOptions {
  bus: EventBus;
  /** Names this run of the server: ids are `<epoch>-<n>`, so an id from a previous run is recognised. */
  epoch: string;
  /** A heartbeat every this many ms (default 15 s). */
  heartbeatMs?: number;
  /** A client whose unsent bytes exceed this is cut off (default 1 MiB). */
  maxBufferedBytes?: number;
  /** A client that has not drained its buffer for this long is cut off (default 30 s). */
  maxStallMs?: number;
  /** Streams open at once at most (default 64). */
  maxClients?: number;
  now?: () => number;
  /** Told about every client cut off for being too slow, with the bytes it left unsent. */
  onCutOff?: (info: { bufferedBytes: number; stalledMs: number }) => void;
}

export const SSE_DEFAULTS = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  maxStallMs: 30_000,
  maxClients: 64,
} as const;

/** How long a closed stream may keep its unsent bytes before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

const CLOSED_MESSAGE: Record<StreamClosedReason, string> = {
  'client-too-slow':
    'This client stopped reading the event stream, so the server closed it. Reconnect to resume.',
  'server-stopping': 'The server is stopping.',
};

const controlFrame = (event: ServerEvent): string => `data: ${JSON.stringify(event)}\n\n`;

/** One connected client: writes frames while the socket keeps up, cuts itself off when it does not. */
class StreamClient {
  private stalledSince: number | undefined;
  private closed = false;
  /** Set once the client is subscribed to the bus. */
  unsubscribe: () => void = () => undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly hub: EventStreamHub,
  ) {
    res.on('drain', () => (this.stalledSince = undefined));
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  write(frame: string): void {
    if (this.closed || this.res.destroyed) return;
    if (!this.res.write(frame)) this.stalledSince ??= this.hub.now();
    this.checkPace();
  }

  /** Cuts the client off when its unsent bytes or its time without draining pass the bounds. */
  checkPace(): void {
    if (this.closed) return;
    const stalledMs = this.stalledSince === undefined ? 0 : this.hub.now() - this.stalledSince;
    if (
      this.res.writableLength > this.hub.limits.maxBufferedBytes ||
      stalledMs > this.hub.limits.maxStallMs
    ) {
      this.hub.reportCutOff({ bufferedBytes: this.res.writableLength, stalledMs });
      this.close('client-too-slow');
    }
  }

  /** The connection is gone: stop writing to it. */
  detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
  }

  close(reason: StreamClosedReason): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.res.destroyed) return;
    this.res.end(controlFrame({ type: 'stream.closed', reason, message: CLOSED_MESSAGE[reason] }));
    // A client that does not read would hold the unsent bytes forever: drop its socket.
    const timer = setTimeout(() => this.res.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.res.once('close', () => clearTimeout(timer));
  }
}

/**
 * Turns the core event bus into `/api/events` (SSE): ids, heartbeats, `Last-Event-ID` resume from
 * the bus's buffer (or `stream.reset` when that is not possible), and back-pressure: a client that
 * stops reading is cut off with `stream.closed`, so the server never buffers without bound.
 */
export class EventStreamHub {
  readonly limits: Required<
    Pick<EventStreamOptions, 'maxBufferedBytes' | 'maxStallMs' | 'maxClients' | 'heartbeatMs'>
  >;
  readonly now: () => number;
  private readonly clients = new Set<StreamClient>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: EventStreamOptions) {
    this.limits = {
      heartbeatMs: options.heartbeatMs ?? SSE_DEFAULTS.heartbeatMs,
      maxBufferedBytes: options.maxBufferedBytes ?? SSE_DEFAULTS.maxBufferedBytes,
      maxStallMs: options.maxStallMs ?? SSE_DEFAULTS.maxStallMs,
      maxClients: options.maxClients ?? SSE_DEFAULTS.maxClients,
    };
    this.now = options.now ?? Date.now;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The most unsent bytes any open stream holds right now. */
  maxBufferedBytes(): number {
    return Math.max(0, ...[...this.clients].map((c) => c.bufferedBytes));
  }

  reportCutOff(info: { bufferedBytes: number; stalledMs: number }): void {
    this.options.onCutOff?.(info);
  }

  private lastFrame: { published: PublishedEvent; text: string } | undefined;

  /** Serialised once per event, however many clients there are. */
  private frame(published: PublishedEvent): string {
    if (this.lastFrame?.published !== published) {
      const text = `id: ${this.options.epoch}-${published.id}\ndata: ${JSON.stringify(published.event)}\n\n`;
      this.lastFrame = { published, text };
    }
    return this.lastFrame.text;
  }

  /** Serves one `GET /api/events` (the caller has authenticated it). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= this.limits.maxClients) {
      throw new AppError('busy', 'Too many event streams are open; close a tab and retry.');
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    // Resume and subscribe in one synchronous step, so no event falls between the two.
    const lastEventId = req.headers['last-event-id'];
    const replay = typeof lastEventId === 'string' ? this.replay(lastEventId) : [];
    const client = new StreamClient(res, this);
    client.unsubscribe = this.options.bus.subscribe((published) =>
      client.write(this.frame(published)),
    );
    this.clients.add(client);
    res.once('close', () => {
      client.detach();
      this.clients.delete(client);
    });
    client.write(`retry: 3000\n: connected\n\n`);
    for (const frame of replay) client.write(frame);
    this.startHeartbeat();
  }

  private replay(lastEventId: string): string[] {
    const match = /^([0-9a-z]+)-(\d{1,15})$/.exec(lastEventId.trim());
    if (!match || match[1] !== this.options.epoch) {
      return [controlFrame({ type: 'stream.reset', reason: 'server-restarted' })];
    }
    const replay = this.options.bus.since(Number(match[2]));
    if (replay.kind === 'expired') {
      return [controlFrame({ type: 'stream.reset', reason: 'events-expired' })];
    }
    return replay.events.map((e) => this.frame(e));
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if (this.clients.size === 0) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
        return;
      }
      const beat = controlFrame({
        type: 'server.heartbeat',
        at: new Date(this.now()).toISOString(),
      });
      for (const client of this.clients) client.write(beat);
    }, this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Ends every stream with `stream.closed` (the server is stopping). */
  closeAll(reason: StreamClosedReason): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const client of this.clients) client.close(reason);
    this.clients.clear();
  }
}
