import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseResponse } from './sse.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Serves one SSE response and hands it over, with a count of heartbeats it was asked for. */
async function serveOne(highWaterBytes: number) {
  const state = { beats: 0, stream: undefined as SseResponse | undefined };
  server = createServer((req, res) => {
    state.stream = new SseResponse(req, res, {
      hello: ': hello\n\n',
      heartbeatMs: 20,
      heartbeat: () => {
        state.beats++;
        return 'data: beat\n\n';
      },
      highWaterBytes,
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  for (let i = 0; i < 500 && !state.stream; i++) await sleep(5);
  return { state, socket, received: () => received };
}

describe('an SSE response', () => {
  it('opens with the stream headers and its first line, then beats', async () => {
    const { received } = await serveOne(64 * 1024);
    for (let i = 0; i < 200 && !received().includes('data: beat'); i++) await sleep(10);
    expect(received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(received()).toContain('Content-Type: text/event-stream; charset=utf-8');
    expect(received()).toContain('Cache-Control: no-store');
    expect(received()).toContain(': hello\n\n');
    expect(received()).toContain('data: beat\n\n');
  });

  it('holds its writer and its heartbeats while the client does not read, until it drains', async () => {
    const { state, socket } = await serveOne(64 * 1024);
    socket.pause();
    const stream = state.stream!;
    // Far more than the socket takes while nobody reads.
    const big = `data: ${'x'.repeat(4 * 1024 * 1024)}\n\n`;
    stream.write(big);
    expect(stream.full).toBe(true);
    let drained = false;
    stream.drained(() => (drained = true));
    const beatsWhenFull = state.beats;
    await sleep(200);
    expect(state.beats).toBe(beatsWhenFull);
    expect(drained).toBe(false);
    socket.resume();
    for (let i = 0; i < 500 && !drained; i++) await sleep(10);
    expect(drained).toBe(true);
    expect(stream.full).toBe(false);
    for (let i = 0; i < 100 && state.beats === beatsWhenFull; i++) await sleep(10);
    expect(state.beats).toBeGreaterThan(beatsWhenFull);
  });
});
