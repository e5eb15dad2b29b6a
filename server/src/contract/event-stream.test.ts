import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseParser, openSse, subscribeEvents, type SseMessage } from './event-stream.js';
import type { ServerEvent } from './events.js';

describe('the SSE parser', () => {
  it('parses messages however the text is chunked, with CRLF, comments and ids', () => {
    const text =
      'retry: 3000\r\n: connected\r\n\r\nid: a-1\r\ndata: {"n":1}\r\n\r\ndata: one\ndata: two\n\nid: a-2\nevent: custom\ndata: x\n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const messages: SseMessage[] = [];
      const parser = createSseParser((m) => messages.push(m));
      for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
      expect(messages).toEqual([
        { id: 'a-1', event: 'message', data: '{"n":1}' },
        { id: undefined, event: 'message', data: 'one\ntwo' },
        { id: 'a-2', event: 'custom', data: 'x' },
      ]);
      expect(parser.lastEventId).toBe('a-2');
    }
  });
});

const progressed = (step: string): ServerEvent => ({
  type: 'job.progressed',
  jobId: 'j',
  kind: 'install',
  step,
});

function streamOf(text: string): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );
}

describe('subscribeEvents (fetch)', () => {
  it('sends the token, reconnects with Last-Event-ID, skips unknown events, and stops on 401', async () => {
    const calls: Array<Record<string, string>> = [];
    const answers = [
      streamOf(
        `id: e-1\ndata: ${JSON.stringify(progressed('a'))}\n\n` +
          `id: e-2\ndata: {"type":"from.the-future"}\n\n` +
          `data: ${JSON.stringify({ type: 'server.heartbeat', at: 'now' })}\n\n`,
      ),
      streamOf(`id: e-3\ndata: ${JSON.stringify(progressed('b'))}\n\n`),
      new Response('{}', { status: 401 }),
    ];
    const fakeFetch = (_url: string | URL | Request, init?: RequestInit) => {
      calls.push({ ...(init?.headers as Record<string, string>) });
      return Promise.resolve(answers.shift() ?? new Response('', { status: 500 }));
    };
    const received: Array<[string, string | undefined]> = [];
    const failed = new Promise<Error>((resolve) => {
      subscribeEvents('http://server', (event, id) => received.push([event.type, id]), {
        token: 'tok-123456789',
        retryMs: 1,
        fetch: fakeFetch,
        onError: resolve,
      });
    });
    expect((await failed).message).toContain('401');
    expect(received).toEqual([
      ['job.progressed', 'e-1'],
      ['server.heartbeat', undefined],
      ['job.progressed', 'e-3'],
    ]);
    expect(calls.map((h) => h.authorization)).toEqual(Array(3).fill('Bearer tok-123456789'));
    expect(calls.map((h) => h['last-event-id'])).toEqual([undefined, 'e-2', 'e-3']);
  });
});

describe('openSse', () => {
  afterEach(() => vi.useRealTimers());

  it('reports its state, waits longer after each failure, and starts over once a stream opens', async () => {
    vi.useFakeTimers();
    const answers: Array<() => Promise<Response>> = [
      () => Promise.resolve(streamOf('id: s-1\ndata: one\n\n')),
      () => Promise.reject(new TypeError('connection refused')),
      () => Promise.reject(new TypeError('connection refused')),
      () => Promise.resolve(streamOf('data: two\n\n')),
      () => Promise.resolve(new Response('{}', { status: 403 })),
    ];
    const sentIds: Array<string | undefined> = [];
    const fakeFetch = (_url: string | URL | Request, init?: RequestInit) => {
      sentIds.push((init?.headers as Record<string, string>)['last-event-id']);
      return (answers.shift() ?? (() => Promise.reject(new Error('no more answers'))))();
    };
    const states: string[] = [];
    const data: string[] = [];
    openSse('http://server/api/x', {
      retryMs: 100,
      maxRetryMs: 300,
      fetch: fakeFetch,
      onMessage: (m) => data.push(m.data),
      onState: (state, detail) => states.push(detail ? `${state}: ${detail}` : state),
    });
    const attemptsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return sentIds.length;
    };
    expect(await attemptsAfter(0)).toBe(1);
    // The stream ended: the first wait is the base.
    expect(await attemptsAfter(99)).toBe(1);
    expect(await attemptsAfter(1)).toBe(2);
    // Refused: each wait doubles, up to the maximum.
    expect(await attemptsAfter(199)).toBe(2);
    expect(await attemptsAfter(1)).toBe(3);
    expect(await attemptsAfter(299)).toBe(3);
    expect(await attemptsAfter(1)).toBe(4);
    // It opened again: the next wait is the base once more.
    expect(await attemptsAfter(99)).toBe(4);
    expect(await attemptsAfter(1)).toBe(5);
    // Refused by the server (403): it stops trying.
    expect(await attemptsAfter(10_000)).toBe(5);
    expect(data).toEqual(['one', 'two']);
    expect(sentIds).toEqual([undefined, 's-1', 's-1', 's-1', 's-1']);
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
      'reconnecting',
      'refused: The event stream was refused (403).',
    ]);
  });
});
