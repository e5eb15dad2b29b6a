/**
 * `/api/events` of the real server (createServer on port 0, real SQLite home), read through the
 * contract's own client helper and through raw sockets. No Docker engine needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseParser, subscribeEvents } from '../../server/src/contract/event-stream.js';
import type { DomainEvent, ServerEvent } from '../../server/src/contract/events.js';
import { createServer, type AppServer, type ServerOptions } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';

const TOKEN = 'e7'.repeat(32);

/** A full garbage collection, so a heap measurement counts only what is still held. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
let server: AppServer | undefined;
let home: string | undefined;
const cleanups: Array<() => void> = [];
const logLines: string[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.stop();
  server = undefined;
  if (home) rmSync(home, { recursive: true, force: true });
  logLines.length = 0;
});

async function start(eventStream: ServerOptions['eventStream'] = {}): Promise<string> {
  home = mkdtempSync(join(tmpdir(), 'mna-events-'));
  server = createServer({
    home,
    token: TOKEN,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    // The stream's own mechanics are under test: only the events the test publishes.
    monitorHealth: false,
    eventStream,
    logger: createLogger({ write: (l) => logLines.push(l), secrets: () => [TOKEN] }),
  });
  return (await server.start()).url;
}

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Reads the stream with node:http, with an optional Last-Event-ID. */
function rawStream(url: string, lastEventId?: string, { keep = true } = {}) {
  const messages: Array<{ id: string | undefined; event: ServerEvent }> = [];
  const state = { connected: false, count: 0, last: undefined as ServerEvent | undefined };
  const parser = createSseParser((m) => {
    const event = JSON.parse(m.data) as ServerEvent;
    state.count++;
    state.last = event;
    if (keep) messages.push({ id: m.id, event });
  });
  const req = http.get(
    `${url}/api/events`,
    {
      agent: false,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
    },
    (res) => {
      state.connected = res.statusCode === 200;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.push(chunk));
      res.on('error', () => undefined);
    },
  );
  req.on('error', () => undefined);
  cleanups.push(() => req.destroy());
  return { messages, state, close: () => req.destroy() };
}

const step = (n: number, pad = 0): DomainEvent => ({
  type: 'job.progressed',
  jobId: 'job-7',
  kind: 'install',
  step: `step ${n}${'.'.repeat(pad)}`,
  percent: Math.min(100, n),
});

describe('the server event stream', () => {
  it('delivers published events with ids, and heartbeats, through the contract client', async () => {
    const url = await start({ heartbeatMs: 100 });
    const received: Array<{ event: ServerEvent; id: string | undefined }> = [];
    const subscription = subscribeEvents(url, (event, id) => received.push({ event, id }), {
      token: TOKEN,
    });
    cleanups.push(() => subscription.close());
    await until(() => received.some((r) => r.event.type === 'server.heartbeat'));
    const heartbeat = received.find((r) => r.event.type === 'server.heartbeat');
    expect(heartbeat?.id).toBeUndefined();

    server?.publish(step(1));
    server?.publish({
      type: 'stack.progressed',
      jobId: 'job-7',
      progress: { type: 'stack.service-progressed', service: 'postgres', action: 'starting' },
    });
    server?.publish({
      type: 'job.finished',
      jobId: 'job-7',
      kind: 'install',
      outcome: 'succeeded',
    });
    await until(() => received.filter((r) => r.id !== undefined).length === 3);
    const domain = received.filter((r) => r.id !== undefined);
    expect(domain.map((r) => r.event.type)).toEqual([
      'job.progressed',
      'stack.progressed',
      'job.finished',
    ]);
    const ids = domain.map((r) => r.id ?? '');
    const epoch = ids[0]?.split('-')[0];
    expect(ids).toEqual([`${epoch}-1`, `${epoch}-2`, `${epoch}-3`]);
  });

  it('gives a client that reconnects with Last-Event-ID exactly what it missed', async () => {
    const url = await start();
    const first = rawStream(url);
    await until(() => first.state.connected);
    server?.publish(step(1));
    server?.publish(step(2));
    await until(() => first.messages.length === 2);
    const lastSeen = first.messages[1]?.id;
    first.close();

    server?.publish(step(3));
    server?.publish(step(4));
    const resumed = rawStream(url, lastSeen);
    await until(() => resumed.messages.length === 2);
    expect(resumed.messages.map((m) => m.event)).toEqual([step(3), step(4)]);

    const stale = rawStream(url, 'deadbeef-3');
    await until(() => stale.messages.length === 1);
    expect(stale.messages[0]?.event).toEqual({ type: 'stream.reset', reason: 'server-restarted' });
  });

  it('cuts off a client that never reads, says so in the log, and keeps memory bounded', async () => {
    const url = await start();
    const good = rawStream(url, undefined, { keep: false });
    const port = Number(new URL(url).port);
    const slow: Socket = connect(port, '127.0.0.1');
    cleanups.push(() => slow.destroy());
    slow.pause();
    slow.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    await until(() => good.state.connected);
    // The slow client's request has been read once a second stream shows up... give it a moment.
    await new Promise((r) => setTimeout(r, 200));

    collectGarbage();
    const before = process.memoryUsage();
    const frame = 4096;
    const total = 20_000; // ~80 MiB of events: unbounded buffering would show at once.
    for (let i = 1; i <= total; i++) {
      server?.publish(step(i, frame));
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    collectGarbage();
    const after = process.memoryUsage();
    const grownMiB =
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
    // The bus keeps its last 1000 events (~4 MiB), the slow client held at most ~1 MiB: what is
    // left after collection is of that order, not the 80 MiB pushed.
    expect(grownMiB).toBeLessThan(16);

    const cut = logLines
      .map((l) => JSON.parse(l) as { message: string; bufferedBytes?: number })
      .find((l) => l.message.startsWith('event stream cut off'));
    expect(cut?.bufferedBytes).toBeGreaterThan(1024 * 1024);
    expect(cut?.bufferedBytes).toBeLessThan(1024 * 1024 + 2 * frame);
    await until(() => good.state.count === total, 30_000);
    expect(good.state.last).toEqual(step(total, frame));
  });
});
