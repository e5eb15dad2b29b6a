import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerEvent, StreamClosedReason } from '../contract/events.js';
import { AppError } from '../core/app-error.js';
import type { EventBus, PublishedEvent } from '../core/events/event-bus.js';
import { SseResponse } from './sse.js';

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

const CLOSED_MESSAGE: Record<StreamClosedReason, string> = {
  'client-too-slow':
    'This client stopped reading the event stream, so the server closed it. Reconnect to resume.',
  'server-stopping': 'The server is stopping.',
  revoked: 'This device was revoked on the appliance: pair it again to use it.',
};

const controlFrame = (event: ServerEvent): string => `data: ${JSON.stringify(event)}\n\n`;

const closedFrame = (reason: StreamClosedReason): string =>
  controlFrame({ type: 'stream.closed', reason, message: CLOSED_MESSAGE[reason] });

/** One connected client and its subscription to the bus. */
interface StreamClient {
  stream: SseResponse;
  unsubscribe: () => void;
  /** A paired device's id, when one opened it. */
  owner?: string;
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
    return Math.max(0, ...[...this.clients].map((c) => c.stream.bufferedBytes));
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

  /**
   * Serves one `GET /api/events` (the caller has authenticated it); `owner` names a paired device,
   * whose streams close when it is revoked.
   */
  handle(req: IncomingMessage, res: ServerResponse, owner?: string): void {
    if (this.clients.size >= this.limits.maxClients) {
      throw new AppError('busy', 'Too many event streams are open; close a tab and retry.');
    }
    let unsubscribe: () => void = () => undefined;
    const stream = new SseResponse(req, res, {
      hello: `retry: 3000\n: connected\n\n`,
      heartbeatMs: this.limits.heartbeatMs,
      heartbeat: () =>
        controlFrame({ type: 'server.heartbeat', at: new Date(this.now()).toISOString() }),
      cutOff: {
        maxBufferedBytes: this.limits.maxBufferedBytes,
        maxStallMs: this.limits.maxStallMs,
        frame: () => closedFrame('client-too-slow'),
        onCutOff: (info) => {
          unsubscribe();
          this.options.onCutOff?.(info);
        },
      },
      now: this.now,
    });
    // Resume and subscribe in one synchronous step, so no event falls between the two.
    const lastEventId = req.headers['last-event-id'];
    const replay = typeof lastEventId === 'string' ? this.replay(lastEventId) : [];
    unsubscribe = this.options.bus.subscribe((published) => stream.write(this.frame(published)));
    const client: StreamClient = {
      stream,
      unsubscribe: () => unsubscribe(),
      ...(owner ? { owner } : {}),
    };
    this.clients.add(client);
    res.once('close', () => {
      client.unsubscribe();
      this.clients.delete(client);
    });
    for (const frame of replay) stream.write(frame);
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

  /** The owners (paired devices) of the open streams. */
  owners(): Set<string> {
    return new Set([...this.clients].flatMap((c) => (c.owner ? [c.owner] : [])));
  }

  /** Ends the streams of `owner` with `stream.closed` (a revoked device). */
  closeOwner(owner: string, reason: StreamClosedReason): void {
    for (const client of [...this.clients].filter((c) => c.owner === owner)) {
      client.unsubscribe();
      client.stream.end(closedFrame(reason), true);
      this.clients.delete(client);
    }
  }

  /** Ends every stream with `stream.closed` (the server is stopping). */
  closeAll(reason: StreamClosedReason): void {
    for (const client of this.clients) {
      client.unsubscribe();
      client.stream.end(closedFrame(reason), true);
    }
    this.clients.clear();
  }
}
