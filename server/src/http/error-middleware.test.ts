import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/app-error.js';
import { engineUnavailable } from '../core/docker-gateway.js';
import { errorMiddleware } from './error-middleware.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** An app whose one route fails with `error`, answering through the error middleware. */
async function failingWith(
  error: unknown,
  logged: AppError[],
  now?: () => number,
): Promise<string> {
  const app = express();
  app.get('/fail', () => {
    throw error;
  });
  app.use(errorMiddleware((e) => logged.push(e), now));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fail`;
}

describe('the error middleware', () => {
  it('answers an unreachable engine in plain words and keeps the technical reason for the log', async () => {
    const logged: AppError[] = [];
    const cause = Object.assign(new Error('connect ENOENT /nonexistent.sock'), { code: 'ENOENT' });
    const url = await failingWith(engineUnavailable(cause), logged);
    const res = await fetch(url);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('engine_unavailable');
    expect(body.error.message).toMatch(/^Docker is not running or cannot be reached/);
    expect(body.error.message).not.toMatch(/ENOENT|run the command|medianest-appliance|`/);
    expect(logged.map((e) => e.message).join('\n')).toContain('ENOENT');
  });

  it('logs an engine that stays down once a minute, not once per request', async () => {
    const logged: AppError[] = [];
    let clock = 0;
    const cause = Object.assign(new Error('connect ENOENT /nonexistent.sock'), { code: 'ENOENT' });
    const url = await failingWith(engineUnavailable(cause), logged, () => clock);
    for (let i = 0; i < 5; i++) expect((await fetch(url)).status).toBe(503);
    expect(logged).toHaveLength(1);
    clock += 61_000;
    expect((await fetch(url)).status).toBe(503);
    expect(logged).toHaveLength(2);
  });

  it('passes any other refusal on as it is', async () => {
    const logged: AppError[] = [];
    const url = await failingWith(new AppError('conflict', 'Another job is running.'), logged);
    const res = await fetch(url);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Another job is running.',
    );
    expect(logged).toEqual([]);
  });
});
