/**
 * The server runs the update check on its schedule: once started, GET /api/updates says when the
 * next check comes (a minute after the start when none ran before), and the off switch clears it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.test-support.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer('updates-schedule');
});
afterEach(() => t.close());

describe('the scheduled update check in the server', () => {
  it('is armed once the server runs, and off when the settings say so', async () => {
    const api = t.api();
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
