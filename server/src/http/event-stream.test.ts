import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../contract/event-stream.js';
import type { DomainEvent, ServerEvent } from '../contract/events.js';
import { EventBus } from '../core/events/event-bus.js';
import { EventStreamHub, type EventStreamOptions } from './event-stream.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  const current = server;
  server = undefined;
  current?.closeAllConnections();
  await new Promise((resolve) => current?.close(resolve) ?? resolve(undefined));
});

async function serveHub(
  options: Partial<EventStreamOptions> = {},
): Promise<{ bus: EventBus; hub: EventStreamHub; port: number; cutOffs: number[] }> {
  const bus = options.bus ?? new EventBus(50);
  const cutOffs: number[] = [];
  const hub = new EventStreamHub({
    epoch: 'e1',
    heartbeatMs: 60_000,
    ...options,
    bus,
    onCutOff: (info) => cutOffs.push(info.bufferedBytes),
  });
  server = createServer((req, res) => {
    try {
      hub.handle(req, res);
    } catch (error) {
      res.writeHead(409).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { bus, hub, port: (server?.address() as AddressInfo).port, cutOffs };
}

/** A well-behaved client: reads and parses everything. */
function listen(port: number, headers: Record<string, string> = {}) {
  const messages: Array<SseMessage & { event: string }> = [];
  let raw = '';
  const parser = createSseParser((m) => messages.push(m));
  // Settles when the stream ends, however it ends (tests destroy leftover sockets).
  const ended = new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        parser.push(chunk);
      });
      res.on('end', resolve);
      res.on('error', () => resolve());
      res.on('close', resolve);
    });
    req.on('error', () => resolve());
    req.end();
    req.on('socket', (s) => sockets.push(s));
  });
  const events = (): ServerEvent[] => messages.map((m) => JSON.parse(m.data) as ServerEvent);
  return { messages, events, ended, raw: () => raw };
}

const until = async (check: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const step = (n: number, pad = 0): DomainEvent => ({
  type: 'job.progressed',
  jobId: 'job-1',
  kind: 'install',
  step: `step ${n}${'x'.repeat(pad)}`,
});

describe('the event stream (SSE)', () => {
  it('sends each event with an id, as JSON, to every client', async () => {
    const { bus, hub, port } = await serveHub();
    const a = listen(port);
    const b = listen(port);
    await until(() => hub.clientCount === 2);
    bus.publish(step(1));
    bus.publish({ type: 'job.finished', jobId: 'job-1', kind: 'install', outcome: 'succeeded' });
    await until(() => a.messages.length === 2 && b.messages.length === 2);
    expect(a.messages.map((m) => m.id)).toEqual(['e1-1', 'e1-2']);
    expect(a.events()).toEqual([
      step(1),
      { type: 'job.finished', jobId: 'job-1', kind: 'install', outcome: 'succeeded' },
    ]);
    expect(a.raw()).toContain('retry: 3000\n');
  });

  it('sends heartbeats without ids', async () => {
    const { hub, port } = await serveHub({ heartbeatMs: 30 });
    const client = listen(port);
    await until(() => hub.clientCount === 1);
    await until(() => client.messages.length >= 2);
    expect(client.events()[0]).toMatchObject({ type: 'server.heartbeat' });
    expect(client.messages[0]?.id).toBeUndefined();
  });

  it('replays what a client missed when it resumes with Last-Event-ID', async () => {
    const { bus, port } = await serveHub();
    for (let i = 1; i <= 5; i++) bus.publish(step(i));
    const client = listen(port, { 'last-event-id': 'e1-3' });
    await until(() => client.messages.length === 2);
    expect(client.messages.map((m) => m.id)).toEqual(['e1-4', 'e1-5']);
    bus.publish(step(6));
    await until(() => client.messages.length === 3);
    expect(client.messages[2]?.id).toBe('e1-6');
  });

  it('says stream.reset when the missed events left the buffer, or the server restarted', async () => {
    const { bus, port } = await serveHub({ bus: new EventBus(3) });
    for (let i = 1; i <= 10; i++) bus.publish(step(i));
    const expired = listen(port, { 'last-event-id': 'e1-2' });
    const restarted = listen(port, { 'last-event-id': 'olderepoch-9' });
    await until(() => expired.messages.length === 1 && restarted.messages.length === 1);
    expect(expired.events()).toEqual([{ type: 'stream.reset', reason: 'events-expired' }]);
    expect(restarted.events()).toEqual([{ type: 'stream.reset', reason: 'server-restarted' }]);
  });

  it('ends every stream with stream.closed when the server stops', async () => {
    const { hub, port } = await serveHub();
    const client = listen(port);
    await until(() => hub.clientCount === 1);
    hub.closeAll('server-stopping');
    await client.ended;
    expect(client.events().at(-1)).toMatchObject({
      type: 'stream.closed',
      reason: 'server-stopping',
    });
    expect(hub.clientCount).toBe(0);
  });

  it('cuts off a client that stops reading, keeping its unsent bytes under the bound', async () => {
    const bound = 1024 * 1024;
    const { bus, hub, port, cutOffs } = await serveHub({ maxBufferedBytes: bound });
    const good = listen(port);
    // A raw client that sends its request, then never reads a byte.
    const slow = connect(port, '127.0.0.1');
    sockets.push(slow);
    slow.pause();
    slow.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => hub.clientCount === 2);

    const frame = 8 * 1024;
    let peak = 0;
    let published = 0;
    // 64 MiB, far more than the kernel's socket buffers and the bound together.
    while (published < 8192 && cutOffs.length === 0) {
      bus.publish(step(published++, frame));
      peak = Math.max(peak, hub.maxBufferedBytes());
      // Let the good client read now and then, as a real one would.
      if (published % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(cutOffs).toHaveLength(1);
    expect(peak).toBeLessThanOrEqual(bound + 2 * frame);
    expect(cutOffs[0]).toBeGreaterThan(bound);
    expect(cutOffs[0]).toBeLessThanOrEqual(bound + 2 * frame);
    // Its socket is dropped after a short grace; the good client stays and gets everything.
    await until(() => hub.clientCount === 1, 5000);
    await until(() => good.messages.length === published, 10_000);
    expect(good.messages.at(-1)?.id).toBe(`e1-${published}`);
  });

  it('refuses more streams than its limit', async () => {
    const { hub, port } = await serveHub({ maxClients: 1 });
    listen(port);
    await until(() => hub.clientCount === 1);
    const refused = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/events' }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(refused.statusCode).toBe(409);
    refused.resume();
  });
});
