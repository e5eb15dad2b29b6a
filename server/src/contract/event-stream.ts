import { EVENTS_PATH, ServerEventSchema, type ServerEvent } from './events.js';

/** One message of a `text/event-stream`, as the SSE format defines it. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * An incremental parser for `text/event-stream`: feed it text as it arrives, in any chunking;
 * it calls `onMessage` once per complete message and remembers the last id (for resuming).
 */
export function createSseParser(onMessage: (message: SseMessage) => void): {
  push(text: string): void;
  readonly lastEventId: string | undefined;
} {
  let pending = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let lastEventId: string | undefined;
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) {
        if (id !== undefined) lastEventId = id;
        onMessage({ id, event: event || 'message', data: data.join('\n') });
      }
      data = [];
      event = '';
      id = undefined;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return {
    push(text) {
      pending += text;
      // A trailing "\r" may be the first half of "\r\n": keep it until the next chunk.
      const end = pending.endsWith('\r') ? pending.length - 1 : pending.length;
      const lines = pending.slice(0, end).split(/\r\n|\r|\n/);
      // The last piece is a line still arriving.
      pending = (lines.pop() ?? '') + pending.slice(end);
      for (const l of lines) line(l);
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

export interface EventSubscription {
  close(): void;
}

export interface SubscribeOptions {
  /** The per-launch token. Without it the browser's session cookie is used (same origin). */
  token?: string;
  /** A failure the subscription cannot recover from by reconnecting (e.g. not signed in). */
  onError?: (error: Error) => void;
  /** Wait before reconnecting after the stream ends; default 3 s. */
  retryMs?: number;
  fetch?: typeof fetch;
}

type Listener = (event: ServerEvent, id: string | undefined) => void;

interface EventSourceLike {
  onmessage: ((message: { data: string; lastEventId: string }) => void) | null;
  onerror: (() => void) | null;
  readonly readyState: number;
  close(): void;
}
type EventSourceCtor = new (url: string) => EventSourceLike;

function dispatch(data: string, id: string | undefined, onEvent: Listener): void {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return;
  }
  // A newer server may send event types this client does not know yet: skip them.
  const parsed = ServerEventSchema.safeParse(json);
  if (parsed.success) onEvent(parsed.data, id);
}

/**
 * Subscribes to the server's event stream and keeps it open: after the stream ends it reconnects,
 * resuming from the last event it saw. A `stream.reset` event means events were missed: reload.
 * Uses the browser's EventSource when no token is needed, else fetch (EventSource cannot send headers).
 */
export function subscribeEvents(
  baseUrl: string,
  onEvent: Listener,
  options: SubscribeOptions = {},
): EventSubscription {
  const url = baseUrl + EVENTS_PATH;
  const EventSourceImpl = (globalThis as unknown as { EventSource?: EventSourceCtor }).EventSource;
  if (!options.token && !options.fetch && EventSourceImpl) {
    const source = new EventSourceImpl(url);
    source.onmessage = (message) =>
      dispatch(message.data, message.lastEventId || undefined, onEvent);
    source.onerror = () => {
      // CLOSED (2) means the browser gave up (an answer other than the stream, e.g. 401).
      if (source.readyState === 2) options.onError?.(new Error('The event stream was refused.'));
    };
    return { close: () => source.close() };
  }
  return subscribeWithFetch(url, onEvent, options);
}

function subscribeWithFetch(
  url: string,
  onEvent: Listener,
  options: SubscribeOptions,
): EventSubscription {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const abort = new AbortController();
  let lastEventId: string | undefined;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await doFetch(url, {
          headers,
          credentials: 'same-origin',
          signal: abort.signal,
        });
        if (response.status === 401 || response.status === 403) {
          options.onError?.(new Error(`The event stream was refused (${response.status}).`));
          return;
        }
        if (response.ok && response.body) {
          const parser = createSseParser((m) => dispatch(m.data, m.id, onEvent));
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
            lastEventId = parser.lastEventId ?? lastEventId;
          }
        }
      } catch {
        // A dropped connection: reconnect below, unless closed on purpose.
      }
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 3000));
    }
  };
  void run();
  return { close: () => abort.abort() };
}
