import express from 'express';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LOGS_DOWNLOAD_PATH } from '../contract/logs-routes.js';
import type { EngineLogLine, LogGateway, LogSource } from '../core/logs/log-gateway.js';
import { LogService } from '../core/logs/log-service.js';
import { logStreamsRouter } from './logs-routes.js';

const TOTAL = 200_000;
const time = (n: number): string => `2025-01-01T00:00:00.${String(n).padStart(9, '0')}Z`;

/** One container with a long log, sent in batches; counts what it has handed out. */
class LongLogGateway implements Pick<LogGateway, 'listSources' | 'read' | 'scan'> {
  handedOut = 0;
  private readonly source: LogSource = {
    id: 'c1',
    name: 'p-backend-1',
    service: 'backend',
    running: true,
    tty: false,
  };
  private line = (n: number): EngineLogLine => ({
    time: time(n),
    stream: 'stdout',
    text: `line ${n} ${'x'.repeat(80)}`,
  });
  async listSources(): Promise<LogSource[]> {
    return [this.source];
  }
  async read(): Promise<EngineLogLine[]> {
    this.handedOut += TOTAL;
    return Array.from({ length: TOTAL }, (_, n) => this.line(n));
  }
  async *scan(): AsyncIterable<EngineLogLine[]> {
    for (let n = 0; n < TOTAL; n += 500) {
      const batch = Array.from({ length: Math.min(500, TOTAL - n) }, (_, i) => this.line(n + i));
      this.handedOut += batch.length;
      yield batch;
    }
  }
}

let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve(gateway: LongLogGateway): Promise<string> {
  const logs = new LogService({
    gateway: gateway as unknown as LogGateway,
    project: 'p',
    secrets: async () => [],
    now: () => new Date('2025-01-01T00:00:01Z'),
  });
  const { router } = logStreamsRouter({ logs: () => logs, requireAuth: (_q, _s, next) => next() });
  const app = express().use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  close = () => server.close();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the log download', () => {
  it('sends the whole range in order', async () => {
    const base = await serve(new LongLogGateway());
    const body = await new Promise<string>((resolve, reject) => {
      request(`${base}${LOGS_DOWNLOAD_PATH}?format=text`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    const lines = body.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(TOTAL);
    expect(lines[0]).toMatch(/ backend stdout line 0 /);
    expect(lines.at(-1)).toMatch(/ line 199999 /);
  });

  it('reads the engine only as fast as the client takes it, and stops when it leaves', async () => {
    const gateway = new LongLogGateway();
    const base = await serve(gateway);
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}${LOGS_DOWNLOAD_PATH}?format=text`, (res) => {
        res.once('data', () => {
          // A client that took one chunk and went away.
          req.destroy();
          resolve();
        });
      }).on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(gateway.handedOut).toBeLessThan(TOTAL / 2);
  });
});
