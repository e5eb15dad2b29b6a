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

/** Where a stream stands, as the UI shows it. */
export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'refused';

export interface EventSubscription {
  close(): void;
}

export interface SseOptions {
  /** The desktop shell's token. Without it the browser's session cookie is used (same origin). */
  token?: string | undefined;
  onMessage: (message: SseMessage) => void;
  /** Each change of state; `refused` (401/403) is final and comes with the server's status. */
  onState?: (state: StreamState, detail?: string) => void;
  /** Resume from here (sent as `Last-Event-ID` on the first connection too). */
  lastEventId?: string;
  /** First wait before reconnecting (default 1 s); doubles per failed attempt up to `maxRetryMs`. */
  retryMs?: number;
  /** Longest wait between attempts (default 10 s). */
  maxRetryMs?: number;
  fetch?: typeof fetch;
}

/**
 * A `text/event-stream` read with fetch, so it can send the token and report its state (the
 * browser's EventSource can do neither): reconnects with back-off, resuming from the last id.
 */
export function openSse(url: string, options: SseOptions): EventSubscription {
  // Looked up per call, not bound once: tests stub the global.
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const onState = options.onState ?? (() => undefined);
  const abort = new AbortController();
  let lastEventId = options.lastEventId;
  const base = options.retryMs ?? 1000;
  const max = options.maxRetryMs ?? 10_000;
  const run = async (): Promise<void> => {
    let wait = base;
    let first = true;
    while (!abort.signal.aborted) {
      onState(first ? 'connecting' : 'reconnecting');
      first = false;
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
          onState('refused', `The event stream was refused (${response.status}).`);
          return;
        }
        if (response.ok && response.body) {
          onState('open');
          wait = base;
          const parser = createSseParser((message) => {
            if (message.id !== undefined) lastEventId = message.id;
            options.onMessage(message);
          });
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
          }
        }
      } catch {
        // A dropped or refused connection: retried below unless closed on purpose.
      }
      if (abort.signal.aborted) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, max);
    }
  };
  void run();
  return { close: () => abort.abort() };
}

/** A message's JSON data checked against `schema`; undefined when it is not JSON or not of it. */
export function parseData<T>(
  data: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export type SubscribeOptions = Omit<SseOptions, 'onMessage'> & {
  /** A failure the subscription cannot recover from by reconnecting (e.g. not signed in). */
  onError?: (error: Error) => void;
};

/**
 * Subscribes to the server's event stream and keeps it open: after the stream ends it reconnects,
 * resuming from the last event it saw. A `stream.reset` event means events were missed: reload.
 * Events of types this client does not know (a newer server) are skipped.
 */
export function subscribeEvents(
  baseUrl: string,
  onEvent: (event: ServerEvent, id: string | undefined) => void,
  options: SubscribeOptions = {},
): EventSubscription {
  const { onError, onState, ...rest } = options;
  return openSse(baseUrl + EVENTS_PATH, {
    ...rest,
    onMessage: (message) => {
      const event = parseData(message.data, ServerEventSchema);
      if (event) onEvent(event, message.id);
    },
    onState: (state, detail) => {
      onState?.(state, detail);
      if (state === 'refused') onError?.(new Error(detail ?? 'The event stream was refused.'));
    },
  });
}
