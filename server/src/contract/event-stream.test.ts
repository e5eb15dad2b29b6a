import { describe, expect, it } from 'vitest';
import { createSseParser, subscribeEvents, type SseMessage } from './event-stream.js';
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
