/**
 * The healthcheck the stack gives backend and frontend (compose-templates/files/shims/
 * healthcheck.cjs), run as Docker runs it (`node healthcheck.cjs PORT PATH [HTTP_EVERY]`) against a
 * local app whose answer the test sets: what passes, and how many requests it spends while the app
 * fails (the backend's rate limiter counts every one, R3).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SHIM = fileURLToPath(
  new URL('../../../../compose-templates/files/shims/healthcheck.cjs', import.meta.url),
);

let server: Server;
let port = 0;
let status = 200;
let requests = 0;

function check(every?: number): Promise<{ passed: boolean; said: string }> {
  const args = [SHIM, String(port), '/api/health', ...(every ? [String(every)] : [])];
  return new Promise((resolve) =>
    execFile(process.execPath, args, (error, stdout) =>
      resolve({ passed: !error, said: stdout.trim() }),
    ),
  );
}

const forget = () => {
  rmSync(`/tmp/.medianest-health-${port}`, { force: true });
  rmSync(`/tmp/.medianest-health-${port}.failed`, { force: true });
};

beforeEach(async () => {
  status = 200;
  requests = 0;
  server = createServer((_req, res) => {
    requests += 1;
    res.statusCode = status;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  forget();
});

afterEach(async () => {
  forget();
  await new Promise((r) => server.close(r));
});

describe("the backend's and frontend's healthcheck", () => {
  it('passes on 200 and, with HTTP_EVERY, only checks the port until the next HTTP is due', async () => {
    expect(await check(60)).toEqual({ passed: true, said: 'GET /api/health: 200' });
    expect(await check(60)).toMatchObject({ passed: true });
    expect(await check(60)).toMatchObject({ passed: true });
    expect(requests).toBe(1);
  });

  it('fails on 503 and asks again only after 5 s: a failing app spends few requests', async () => {
    status = 503;
    expect(await check()).toEqual({ passed: false, said: 'GET /api/health: 503' });
    for (let i = 0; i < 4; i++) {
      expect(await check()).toEqual({
        passed: false,
        said: 'GET /api/health: 503 (asked again within 5 s)',
      });
    }
    expect(requests).toBe(1);
  });

  it('does not take the rate limiter for health: a 429 passes only after a 200', async () => {
    status = 429;
    expect(await check()).toEqual({
      passed: false,
      said: 'GET /api/health: 429 (rate limited before any healthy answer)',
    });
    forget();
    status = 200;
    expect((await check()).passed).toBe(true);
    status = 429;
    expect(await check()).toEqual({
      passed: true,
      said: 'GET /api/health: 429 (rate limited; the app answered 200 before)',
    });
  });

  it('fails without spending anything while the app does not listen', async () => {
    await new Promise((r) => server.close(r));
    const result = await check();
    expect(result.passed).toBe(false);
    expect(result.said).toMatch(/ECONNREFUSED/);
    // Nothing was answered, so nothing holds the next check back.
    server = createServer((_req, res) => res.end());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    expect((await check()).passed).toBe(true);
  });
});
