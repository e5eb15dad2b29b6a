import { describe, expect, it } from 'vitest';
import type { Alert, ResourceSample, ServerEvent, ServiceHealth, StackHealth } from '@contract';
import { acceptedJob } from './job-view';
import {
  applyEvent,
  readAfter,
  SAMPLES_CAP,
  ALERTS_CAP,
  NO_LIVE_DATA,
  type LiveData,
} from './live-reducer';

const AT = '2026-12-07T12:00:00.000Z';

const service = (name: string, state: ServiceHealth['state']): ServiceHealth => ({
  service: name,
  state,
  lastCheck: null,
  restarts: 0,
  startedAt: null,
  exitCode: null,
  oomKilled: false,
});

const health = (status: StackHealth['status'], services: ServiceHealth[] = []): StackHealth => ({
  status,
  reason: `the stack is ${status}`,
  services,
  at: AT,
});

const alert = (id: string, state: Alert['state']): Alert =>
  ({ id, state, title: id, subject: 'redis', acknowledgedAt: null }) as Alert;

const sample = (name: string, at: string): ResourceSample =>
  ({ service: name, at, cpuPercent: 1, memoryBytes: 1 }) as ResourceSample;

const fold = (events: ServerEvent[], from: LiveData = NO_LIVE_DATA): LiveData =>
  events.reduce((state, event) => applyEvent(state, event, AT), from);

describe('the live reducer', () => {
  it('service.state-changed: replaces the service, keeps names in order, and records the change', () => {
    const before = { ...NO_LIVE_DATA, health: health('healthy', [service('redis', 'healthy')]) };
    const after = fold(
      [
        {
          type: 'service.state-changed',
          service: service('redis', 'unhealthy'),
          previous: 'healthy',
        },
        { type: 'service.state-changed', service: service('backend', 'starting'), previous: null },
      ],
      before,
    );
    expect(after.health?.services.map((s) => [s.service, s.state])).toEqual([
      ['backend', 'starting'],
      ['redis', 'unhealthy'],
    ]);
    expect(after.history.redis).toEqual([
      { at: AT, state: 'unhealthy', previous: 'healthy', lastCheck: null },
    ]);
    expect(before.health?.services[0]?.state).toBe('healthy');
    expect(
      readAfter(before, {
        type: 'service.state-changed',
        service: service('redis', 'healthy'),
        previous: null,
      }),
    ).toBe('status');
  });

  it('stack.status-changed: takes the new status; an affected list not sent is gone', () => {
    const before = {
      ...NO_LIVE_DATA,
      health: { ...health('degraded'), affected: { backend: ['redis'] } },
    };
    const event: ServerEvent = {
      type: 'stack.status-changed',
      status: 'healthy',
      reason: 'all well',
    };
    const after = applyEvent(before, event, AT);
    expect(after.health).toEqual({ status: 'healthy', reason: 'all well', services: [], at: AT });
    expect(readAfter(before, event)).toBeUndefined();
    // Before the first read of the health there is nothing to update.
    expect(applyEvent(NO_LIVE_DATA, event, AT)).toBe(NO_LIVE_DATA);
  });

  it('stack.status-changed: Docker back clears a refusal made while it was away, and reads again', () => {
    const before = {
      ...NO_LIVE_DATA,
      health: health('unknown'),
      actionError: 'Docker is not reachable',
    };
    const event: ServerEvent = { type: 'stack.status-changed', status: 'healthy', reason: 'ok' };
    expect(applyEvent(before, event, AT).actionError).toBeUndefined();
    expect(readAfter(before, event)).toBe('reload');
    const stillDown: ServerEvent = { ...event, status: 'unknown' };
    expect(applyEvent(before, stillDown, AT).actionError).toBe('Docker is not reachable');
    expect(readAfter(before, stillDown)).toBeUndefined();
  });

  it('job.progressed and job.finished: the job is active while it runs, and kept once ended', () => {
    const running = fold([
      { type: 'job.progressed', jobId: 'j1', kind: 'restart', step: 'Stopping', percent: 50 },
    ]);
    expect(running.activeJobId).toBe('j1');
    expect(running.jobs.j1).toMatchObject({ step: 'Stopping', percent: 50, outcome: 'running' });
    const finished: ServerEvent = {
      type: 'job.finished',
      jobId: 'j1',
      kind: 'restart',
      outcome: 'failed',
      error: { code: 'busy', message: 'another job runs' },
    };
    const ended = applyEvent(running, finished, AT);
    expect(ended.activeJobId).toBeUndefined();
    expect(ended.jobs.j1).toMatchObject({ step: 'Stopping', outcome: 'failed' });
    expect(readAfter(running, finished)).toBe('reload');
    // Another job's end leaves the active one active.
    const other = { ...running, jobs: { ...running.jobs, j0: acceptedJob('j0', 'backup') } };
    expect(applyEvent(other, { ...finished, jobId: 'j0' }, AT).activeJobId).toBe('j1');
  });

  it('alert.changed: a firing alert goes first; a resolved one leaves the firing list; history is capped', () => {
    const fired = fold([
      { type: 'alert.changed', change: 'fired', alert: alert('a1', 'firing') },
      { type: 'alert.changed', change: 'fired', alert: alert('a2', 'firing') },
    ]);
    expect(fired.firing.map((a) => a.id)).toEqual(['a2', 'a1']);
    const resolved = applyEvent(
      fired,
      { type: 'alert.changed', change: 'resolved', alert: alert('a1', 'resolved') },
      AT,
    );
    expect(resolved.firing.map((a) => a.id)).toEqual(['a2']);
    expect(resolved.alertHistory.map((a) => [a.id, a.state])).toEqual([
      ['a1', 'resolved'],
      ['a2', 'firing'],
    ]);
    const many = fold(
      Array.from({ length: ALERTS_CAP + 5 }, (_, i): ServerEvent => ({
        type: 'alert.changed',
        change: 'fired',
        alert: alert(`b${i}`, 'firing'),
      })),
    );
    expect(many.alertHistory).toHaveLength(ALERTS_CAP);
    expect(many.alertHistory[0]?.id).toBe(`b${ALERTS_CAP + 4}`);
  });

  it('resources.sampled: appends each service’s sample, keeping the newest ones only', () => {
    const events = Array.from({ length: SAMPLES_CAP + 3 }, (_, i): ServerEvent => ({
      type: 'resources.sampled',
      at: `t${i}`,
      services: [sample('redis', `t${i}`), sample('nginx', `t${i}`)],
    }));
    const after = fold(events);
    expect(after.samples.redis).toHaveLength(SAMPLES_CAP);
    expect(after.samples.redis?.at(-1)?.at).toBe(`t${SAMPLES_CAP + 2}`);
    expect(after.samples.nginx?.[0]?.at).toBe('t3');
  });

  it('stream.closed shows the server’s words; stream.reset changes nothing but reads everything again', () => {
    const closed = applyEvent(
      NO_LIVE_DATA,
      { type: 'stream.closed', reason: 'server-stopping', message: 'The server is stopping.' },
      AT,
    );
    expect(closed.streamDetail).toBe('The server is stopping.');
    const reset: ServerEvent = { type: 'stream.reset', reason: 'server-restarted' };
    expect(applyEvent(NO_LIVE_DATA, reset, AT)).toBe(NO_LIVE_DATA);
    expect(readAfter(NO_LIVE_DATA, reset)).toBe('reload');
  });

  it('events the store does not keep (heartbeats) leave the state as it was', () => {
    const heartbeat: ServerEvent = { type: 'server.heartbeat', at: AT };
    expect(applyEvent(NO_LIVE_DATA, heartbeat, AT)).toBe(NO_LIVE_DATA);
    expect(readAfter(NO_LIVE_DATA, heartbeat)).toBeUndefined();
  });
});
