import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../contract/events.js';
import type { ServiceHealth } from '../contract/health.js';
import { createHealthHistory } from './health-history.js';
import { openDatabase, type Db } from '../infra/store/database.js';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A bus in memory: what the server's EventBus hands its subscribers. */
function fakeBus() {
  const listeners = new Set<(event: DomainEvent) => void>();
  return {
    subscribe(listener: (event: DomainEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(event: DomainEvent) {
      for (const l of listeners) l(event);
    },
  };
}

const health = (over: Partial<ServiceHealth>): ServiceHealth => ({
  service: 'postgres',
  state: 'healthy',
  lastCheck: 'accepting connections',
  restarts: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
  exitCode: null,
  oomKilled: false,
  ...over,
});

const changed = (over: Partial<ServiceHealth>, previous: ServiceHealth['state'] | null) =>
  ({ type: 'service.state-changed', service: health(over), previous }) as const;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mna-hhw-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'app.db'));
  dbs.push(db);
  const bus = fakeBus();
  let minute = 0;
  const history = createHealthHistory({
    db,
    subscribe: (listener) => bus.subscribe(listener),
    secrets: async () => ['s3cretpassw0rd!'],
    extraSecrets: () => ['tokentokentoken1'],
    now: () => new Date(Date.UTC(2026, 0, 1, 0, minute++)),
  });
  return { bus, history };
}

describe('the health history wiring', () => {
  it('writes a row per transition from the bus, masked and trimmed, skipping mere refreshes', async () => {
    const { bus, history } = setup();
    history.start();
    bus.publish(changed({ state: 'starting', lastCheck: null }, null));
    bus.publish(changed({ lastCheck: 'ok with s3cretpassw0rd! and tokentokentoken1' }, 'starting'));
    // Same state, new check text, restart count: not a transition.
    bus.publish(changed({ lastCheck: 'accepting again', restarts: 1 }, 'healthy'));
    bus.publish(
      changed({ deepCheck: { ok: false, output: 'x'.repeat(900), at: 'now' } }, 'healthy'),
    );
    bus.publish(changed({ state: 'exited', exitCode: 137, lastCheck: null }, 'healthy'));
    bus.publish({ type: 'stack.status-changed', status: 'down', reason: 'postgres exited' });
    await history.stop();
    bus.publish(changed({ state: 'running' }, 'exited'));
    const { entries, more } = history.api.page({ service: 'postgres', limit: 50 });
    expect(more).toBe(false);
    expect(entries.map((e) => [e.previous, e.state, e.exitCode])).toEqual([
      ['healthy', 'exited', 137],
      ['healthy', 'healthy', null],
      ['starting', 'healthy', null],
      [null, 'starting', null],
    ]);
    expect(entries[2]?.lastCheck).toBe('ok with [redacted] and [redacted]');
    expect(entries[1]?.deepCheck?.ok).toBe(false);
    expect(entries[1]?.deepCheck?.output.length).toBe(500);
  });

  it('writes nothing before start (monitorHealth: false never starts it)', async () => {
    const { bus, history } = setup();
    bus.publish(changed({ state: 'exited', exitCode: 1 }, 'healthy'));
    await history.stop();
    expect(history.api.page({ service: 'postgres', limit: 50 }).entries).toEqual([]);
  });
});
