/** Reads the server's `/api/events` stream in a test, with node:http and the contract's SSE parser. */
import http from 'node:http';
import { createSseParser } from '../../../server/src/contract/event-stream.js';
import {
  EVENTS_PATH,
  ServerEventSchema,
  type ServerEvent,
} from '../../../server/src/contract/events.js';

export interface EventRecorder {
  readonly events: ServerEvent[];
  /** When each event of `events` arrived (performance.now(), same index). */
  readonly arrivals: number[];
  /** Resolves with the first event (already seen or still to come) that matches. */
  waitFor<T extends ServerEvent>(match: (e: ServerEvent) => e is T, timeoutMs: number): Promise<T>;
  close(): void;
}

export function recordEvents(baseUrl: string, token: string): Promise<EventRecorder> {
  const events: ServerEvent[] = [];
  const arrivals: number[] = [];
  const waiters = new Set<() => void>();
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${baseUrl}${EVENTS_PATH}`,
      { headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`events answered ${res.statusCode}`));
        const parser = createSseParser((message) => {
          const parsed = ServerEventSchema.safeParse(JSON.parse(message.data));
          if (parsed.success) {
            events.push(parsed.data);
            arrivals.push(performance.now());
            waiters.forEach((w) => w());
          }
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.push(chunk));
        resolve({
          events,
          arrivals,
          waitFor: <T extends ServerEvent>(match: (e: ServerEvent) => e is T, timeoutMs: number) =>
            new Promise<T>((done, fail) => {
              const check = (): void => {
                const found = events.find(match);
                if (found) {
                  waiters.delete(check);
                  clearTimeout(timer);
                  done(found);
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(
                  new Error(
                    `no matching event within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ')}`,
                  ),
                );
              }, timeoutMs);
              waiters.add(check);
              check();
            }),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}
