import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRaised } from '../../contract/tray.js';
import type { ApplianceView } from './appliance-list.js';
import { overallTray, worstState } from './overall-tray.js';
import type { ForwardAnswer, ForwardRequest } from './remote-appliances.js';
import { RemoteWatch, sseFrames, type RemoteState } from './remote-watch.js';

const NAS: ApplianceView = {
  id: 'nas',
  name: 'Attic NAS',
  address: 'https://10.0.0.2:7420',
  fingerprint: 'AA',
  pairedAt: '2026-12-08T00:00:00.000Z',
};

const frame = (event: unknown, id = 'e-1') => `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
const tray = (state: string, tooltip = `MediaNest is ${state}`) => ({
  type: 'tray.changed',
  state,
  tooltip,
  problems: [],
});

/** An appliance whose event streams the test writes to; `/api/tray` answers `now`. */
function fakeAppliance() {
  const streams: PassThrough[] = [];
  const calls: ForwardRequest[] = [];
  let refuse: number | Error | undefined;
  let now: unknown = tray('healthy');
  const forward = async (_id: string, request: ForwardRequest): Promise<ForwardAnswer> => {
    calls.push(request);
    if (refuse instanceof Error) throw refuse;
    const body = new PassThrough();
    if (refuse !== undefined) {
      body.end('{"error":{}}');
      return { status: refuse, headers: {}, body };
    }
    if (request.path === '/api/tray') {
      body.end(JSON.stringify(now));
      return { status: 200, headers: {}, body };
    }
    streams.push(body);
    body.write('retry: 3000\n: connected\n\n');
    return { status: 200, headers: { 'content-type': 'text/event-stream' }, body };
  };
  return {
    forward,
    streams,
    calls,
    refuse: (how: number | Error | undefined) => (refuse = how),
    setNow: (value: unknown) => (now = value),
  };
}

const watches: RemoteWatch[] = [];
afterEach(() => watches.splice(0).forEach((w) => w.stop()));

function watch(appliance = fakeAppliance(), list: ApplianceView[] = [NAS]) {
  const changes: RemoteState[] = [];
  const alerts: Array<{ name: string; alert: AlertRaised }> = [];
  const w = new RemoteWatch({
    appliances: () => list,
    forward: appliance.forward,
    onChange: (s) => changes.push({ ...s }),
    onAlert: (a, alert) => alerts.push({ name: a.name, alert }),
    retryMs: { first: 10, max: 40 },
  });
  watches.push(w);
  return { w, changes, alerts, appliance, list };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('sseFrames', () => {
  it('returns the data of whole frames and keeps the unfinished rest', () => {
    const { data, rest } = sseFrames('id: 1\ndata: {"a":1}\n\n: comment\n\ndata: {"b"');
    expect(data).toEqual(['{"a":1}']);
    expect(rest).toBe('data: {"b"');
    expect(sseFrames('data: x\r\n\r\n').data).toEqual(['x']);
  });
});

describe('RemoteWatch', () => {
  it('takes the state now, then every change its stream tells', async () => {
    const { w, changes, appliance } = watch();
    w.start();
    await until(() => changes.at(-1)?.state === 'healthy');
    appliance.streams[0]?.write(frame(tray('degraded', 'MediaNest: 5 of 6 services healthy')));
    await until(() => changes.at(-1)?.state === 'degraded');
    expect(w.withStates([NAS])).toEqual([{ ...NAS, state: 'degraded' }]);
    expect(w.states()[0]?.tray?.tooltip).toBe('MediaNest: 5 of 6 services healthy');
  });

  it('a frame split across chunks is read whole', async () => {
    const { w, changes, appliance } = watch();
    appliance.setNow({ not: 'a tray' });
    w.start();
    await until(() => appliance.streams.length === 1);
    const text = frame(tray('down'));
    appliance.streams[0]?.write(text.slice(0, 17));
    appliance.streams[0]?.write(text.slice(17));
    await until(() => changes.at(-1)?.state === 'down');
  });

  it('is unknown, never down, while it cannot be reached, and tries again', async () => {
    const { w, changes, appliance } = watch();
    appliance.refuse(
      new Error('The appliance at https://10.0.0.2:7420 cannot be reached (ECONNREFUSED).'),
    );
    w.start();
    await until(() => appliance.calls.length >= 3);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      state: 'unknown',
      problem: expect.stringContaining('ECONNREFUSED') as unknown,
    });
    appliance.refuse(undefined);
    await until(() => changes.at(-1)?.state === 'healthy');
    expect(changes.at(-1)?.problem).toBeUndefined();
  });

  it('says to pair again when the appliance refuses the token', async () => {
    const { w, changes, appliance } = watch();
    appliance.refuse(401);
    w.start();
    await until(() => changes.length === 1);
    expect(changes[0]?.problem).toMatch(/pair it again/);
  });

  it('a stream that ends is unknown until it is back', async () => {
    const { w, changes, appliance } = watch();
    w.start();
    await until(() => changes.at(-1)?.state === 'healthy');
    appliance.streams[0]?.end();
    await until(() => changes.at(-1)?.state === 'unknown');
    await until(() => changes.at(-1)?.state === 'healthy');
    expect(appliance.streams.length).toBe(2);
  });

  it('passes its alerts on with its name', async () => {
    const { w, alerts, appliance } = watch();
    w.start();
    await until(() => appliance.streams.length === 1);
    const alert = {
      type: 'alert.raised',
      alertId: 'a1',
      severity: 'critical',
      title: 'PostgreSQL is down',
      message: 'since 12:00',
      page: '/services/postgres',
    };
    appliance.streams[0]?.write(frame(alert));
    await until(() => alerts.length === 1);
    expect(alerts[0]).toEqual({ name: 'Attic NAS', alert });
  });

  it('follows appliances paired later and lets go of those forgotten', async () => {
    const { w, appliance, list } = watch(fakeAppliance(), []);
    w.start();
    expect(appliance.calls).toHaveLength(0);
    list.push(NAS);
    w.sync();
    await until(() => appliance.streams.length === 1);
    list.pop();
    w.sync();
    expect(appliance.streams[0]?.destroyed).toBe(true);
    expect(w.states()).toEqual([]);
  });
});

describe('overallTray', () => {
  const local = {
    type: 'tray.changed' as const,
    state: 'healthy' as const,
    tooltip: 'MediaNest: all 6 services healthy',
    problems: [],
  };

  it('is this computer alone when nothing is paired', () => {
    expect(overallTray(local, [])).toEqual({
      type: 'tray.overall',
      state: 'healthy',
      tooltip: local.tooltip,
      appliances: [],
    });
  });

  it('shows the worst, naming each; unreachable outranks only healthy', () => {
    const nas = { id: 'n', name: 'NAS', state: 'unknown' as const, problem: 'ECONNREFUSED' };
    const overall = overallTray(local, [nas]);
    expect(overall.state).toBe('unknown');
    expect(overall.tooltip).toBe('MediaNest: this computer healthy; NAS not reachable');
    expect(overall.appliances).toEqual([nas]);
    expect(overallTray({ ...local, state: 'degraded' }, [nas]).state).toBe('degraded');
    expect(worstState(['unknown', 'down', 'degraded'])).toBe('down');
  });
});
