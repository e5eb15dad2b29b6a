import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchWebhookTransport } from './webhook-transport.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback receiver answering every request with `answer`. */
async function receiver(
  answer: (res: ServerResponse) => void,
): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      answer(res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/s3cret`, bodies };
}

const request = { headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
const transport = new FetchWebhookTransport();

describe('the webhook transport', () => {
  it('posts the body and accepts any 2xx', async () => {
    const r = await receiver((res) => res.writeHead(204).end());
    await transport.post(r.url, request, 2000);
    expect(r.bodies).toEqual(['{"a":1}']);
  });

  it('fails with the status, and does not follow a redirect', async () => {
    const r = await receiver((res) =>
      res.writeHead(302, { location: 'http://127.0.0.1:9/x' }).end(),
    );
    await expect(transport.post(r.url, request, 2000)).rejects.toThrow('HTTP 302 Found');
  });

  it('gives up after its timeout, saying so without the URL', async () => {
    const r = await receiver(() => undefined);
    const failure = await transport.post(r.url, request, 300).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('no answer within 300 ms');
    expect((failure as Error).message).not.toContain('s3cret');
  });
});
