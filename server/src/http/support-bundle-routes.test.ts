import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUPPORT_BUNDLE_PATH } from '../contract/logs-routes.js';
import { serveWithErrors, TestAuth, type Served } from './serve.test-support.js';
import { supportBundleRouter } from './support-bundle-routes.js';

let served: Served;
let auth: TestAuth;
let built = 0;
const DATA = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]);

beforeEach(async () => {
  auth = new TestAuth();
  built = 0;
  const app = express().use(
    supportBundleRouter({
      bundle: async () => {
        built++;
        return { name: 'medianest-support-2026-12-07.tar.gz', data: DATA };
      },
      requireAuth: auth.requireAuth,
    }),
  );
  served = await serveWithErrors(app);
});

afterEach(async () => {
  await served.close();
});

describe('downloading the support bundle', () => {
  it('answers the bundle as a gzip attachment under its own name, never cached', async () => {
    const response = await fetch(served.base + SUPPORT_BUNDLE_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="medianest-support-2026-12-07.tar.gz"',
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await response.arrayBuffer()).equals(DATA)).toBe(true);
  });

  it('builds nothing for anyone not signed in', async () => {
    auth.signedIn = false;
    expect((await fetch(served.base + SUPPORT_BUNDLE_PATH)).status).toBe(401);
    expect(built).toBe(0);
  });
});
