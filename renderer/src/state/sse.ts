import { createSseParser, type SseMessage } from '../../../server/src/contract/index.js';

/** Where a stream stands, as the UI shows it. */
export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'refused';

export interface SseOptions {
  /** The desktop shell's token; a browser sends its session cookie instead. */
  token: string | undefined;
  onMessage: (message: SseMessage) => void;
  onState: (state: StreamState, detail?: string) => void;
  /** Resume from here (sent as `Last-Event-ID` on the first connection too). */
  lastEventId?: string;
  /** First wait before reconnecting; doubles per failed attempt up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface SseHandle {
  close(): void;
}

/**
 * A `text/event-stream` read with fetch, so it can send the token and report its state (the
 * browser's EventSource can do neither): reconnects with back-off, resuming from the last id.
 */
export function openSse(url: string, options: SseOptions): SseHandle {
  const abort = new AbortController();
  let lastEventId = options.lastEventId;
  const base = options.retryMs ?? 1000;
  const max = options.maxRetryMs ?? 10_000;
  const run = async (): Promise<void> => {
    let wait = base;
    let first = true;
    while (!abort.signal.aborted) {
      options.onState(first ? 'connecting' : 'reconnecting');
      first = false;
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await fetch(url, {
          headers,
          credentials: 'same-origin',
          signal: abort.signal,
        });
        if (response.status === 401 || response.status === 403) {
          options.onState('refused', 'Sign in again to see live updates.');
          return;
        }
        if (response.ok && response.body) {
          options.onState('open');
          wait = base;
          const parser = createSseParser((message) => {
            if (message.id !== undefined) lastEventId = message.id;
            options.onMessage(message);
          });
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.push(decoder.decode(value, { stream: true }));
          }
        }
      } catch {
        // Dropped or refused connection: retried below unless closed on purpose.
      }
      if (abort.signal.aborted) return;
      options.onState('reconnecting');
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
