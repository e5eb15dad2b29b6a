import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUPPORT_BUNDLE_PATH } from '../contract/logs-routes.js';
import { AppError } from '../core/app-error.js';
import { errorMiddleware } from './error-middleware.js';
import { supportBundleRouter } from './support-bundle-routes.js';

let server: Server;
let base: string;
let authorised = true;
let built = 0;
const DATA = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);

beforeEach(async () => {
  authorised = true;
  built = 0;
  const app = express();
  app.use(
    supportBundleRouter({
      bundle: async () => {
        built++;
        return { name: 'medianest-support-2026-12-07.tar.gz', data: DATA };
      },
      requireAuth: (_req, _res, next) =>
        next(authorised ? undefined : new AppError('unauthorized', 'Sign in first.')),
    }),
  );
  app.use(errorMiddleware(() => undefined));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('downloading the support bundle', () => {
  it('answers the bundle as a gzip attachment under its own name, never cached', async () => {
    const response = await fetch(base + SUPPORT_BUNDLE_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="medianest-support-2026-12-07.tar.gz"',
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await response.arrayBuffer()).equals(DATA)).toBe(true);
  });

  it('builds nothing for anyone not signed in', async () => {
    authorised = false;
    expect((await fetch(base + SUPPORT_BUNDLE_PATH)).status).toBe(401);
    expect(built).toBe(0);
  });
});
