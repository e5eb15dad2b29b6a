/**
 * The server runs the update check on its schedule: once started, GET /api/updates says when the
 * next check comes (a minute after the start when none ran before), and the off switch clears it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../contract/client.js';
import { createServer, type AppServer } from '../index.js';
import { createLogger } from '../infra/log/logger.js';

const TOKEN = 'e'.repeat(64);
let home: string;
let server: AppServer;
let url: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mna-updates-schedule-'));
  server = createServer({
    home,
    token: TOKEN,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    logger: createLogger({ write: () => undefined }),
  });
  ({ url } = await server.start());
});
afterEach(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the scheduled update check in the server', () => {
  it('is armed once the server runs, and off when the settings say so', async () => {
    const api = createApiClient({ baseUrl: url, token: TOKEN });
    const startedAt = Date.now();
    let next: string | undefined;
    // The schedule starts just after `ready` (with the monitors).
    for (let i = 0; i < 100 && next === undefined; i++) {
      next = (await api.updates({})).nextCheckAt;
      if (next === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(next).toBeDefined();
    const at = new Date(next ?? 0).getTime();
    expect(at).toBeGreaterThan(startedAt);
    expect(at).toBeLessThanOrEqual(Date.now() + 61_000);

    const report = await api.updates({});
    const off = await api.updatesSettings({
      ...report.settings,
      check: { ...report.settings.check, enabled: false },
    });
    expect(off.nextCheckAt).toBeUndefined();
  });
});
