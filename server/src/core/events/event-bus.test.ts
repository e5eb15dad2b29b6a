import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import { EventBus } from './event-bus.js';

const progressed = (step: string): DomainEvent => ({
  type: 'job.progressed',
  jobId: 'j1',
  kind: 'install',
  step,
});

describe('the event bus', () => {
  it('numbers events 1, 2, 3 and hands each to every subscriber', () => {
    const bus = new EventBus(10);
    const a: number[] = [];
    const b: string[] = [];
    bus.subscribe((e) => a.push(e.id));
    bus.subscribe((e) => b.push(e.event.type));
    bus.publish(progressed('pull'));
    bus.publish({ type: 'job.finished', jobId: 'j1', kind: 'install', outcome: 'succeeded' });
    expect(a).toEqual([1, 2]);
    expect(b).toEqual(['job.progressed', 'job.finished']);
    expect(bus.lastId).toBe(2);
  });

  it('delivers an event published by a subscriber after the current one, to every subscriber in id order', () => {
    const bus = new EventBus(10);
    bus.subscribe((e) => {
      if (e.id === 1) bus.publish(progressed('derived'));
    });
    const later: number[] = [];
    bus.subscribe((e) => later.push(e.id));
    const published = bus.publish(progressed('first'));
    expect(published.id).toBe(1);
    // Already delivered when publish returns, and after event 1 for the second subscriber too.
    expect(later).toEqual([1, 2]);
  });

  it('stops delivering to a subscriber that unsubscribed', () => {
    const bus = new EventBus(10);
    const seen: number[] = [];
    const off = bus.subscribe((e) => seen.push(e.id));
    bus.publish(progressed('a'));
    off();
    bus.publish(progressed('b'));
    expect(seen).toEqual([1]);
    expect(bus.subscriberCount).toBe(0);
  });

  it('keeps delivering when one subscriber throws', () => {
    const bus = new EventBus(10);
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('broken');
    });
    bus.subscribe((e) => seen.push(e.id));
    expect(() => bus.publish(progressed('a'))).not.toThrow();
    expect(seen).toEqual([1]);
  });

  it('replays the events after a given id, oldest first', () => {
    const bus = new EventBus(10);
    for (const step of ['a', 'b', 'c', 'd']) bus.publish(progressed(step));
    const replay = bus.since(2);
    expect(replay.kind).toBe('events');
    if (replay.kind !== 'events') return;
    expect(replay.events.map((e) => e.id)).toEqual([3, 4]);
    expect(
      replay.events.map((e) => (e.event.type === 'job.progressed' ? e.event.step : '')),
    ).toEqual(['c', 'd']);
    expect(bus.since(4)).toEqual({ kind: 'events', events: [] });
    expect(bus.since(0).kind).toBe('events');
  });

  it('keeps only the last N events: memory is bounded however many are published', () => {
    const bus = new EventBus(5);
    for (let i = 0; i < 10_000; i++) bus.publish(progressed(`s${i}`));
    const replay = bus.since(9_995);
    expect(replay.kind === 'events' && replay.events.map((e) => e.id)).toEqual([
      9_996, 9_997, 9_998, 9_999, 10_000,
    ]);
  });

  it('says the events are gone when the client resumes from before the buffer', () => {
    const bus = new EventBus(5);
    for (let i = 0; i < 12; i++) bus.publish(progressed(`s${i}`));
    // Buffer holds 8..12: resuming after 7 is still complete, after 6 misses event 7.
    expect(bus.since(7)).toMatchObject({ kind: 'events' });
    expect(bus.since(6)).toEqual({ kind: 'expired', oldestId: 8 });
    expect(bus.since(-1)).toEqual({ kind: 'expired', oldestId: 8 });
  });

  it('refuses a buffer with no room', () => {
    expect(() => new EventBus(0)).toThrow(RangeError);
    expect(() => new EventBus(10, { sampleCapacity: 0 })).toThrow(RangeError);
  });
});

describe('the event bus with resource samples every 5 s', () => {
  const sampled = (at: number): DomainEvent => ({
    type: 'resources.sampled',
    at: new Date(at).toISOString(),
    services: [],
  });
  const statusChanged = (reason: string): DomainEvent => ({
    type: 'stack.status-changed',
    status: 'degraded',
    reason,
  });

  /** Three hours of a running server on a fake clock: a sample every 5 s, a status change every 10 min. */
  function threeHours(bus: EventBus): { statusIds: number[]; sampleIds: number[]; before: number } {
    let now = Date.parse('2026-11-26T08:00:00Z');
    bus.publish(progressed('install'));
    bus.publish({ type: 'job.finished', jobId: 'j1', kind: 'install', outcome: 'succeeded' });
    const before = bus.lastId;
    const statusIds: number[] = [];
    const sampleIds: number[] = [];
    for (let tick = 1; tick <= 3 * 720; tick++) {
      now += 5_000;
      sampleIds.push(bus.publish(sampled(now)).id);
      if (tick % 120 === 0) statusIds.push(bus.publish(statusChanged(`tick ${tick}`)).id);
    }
    return { statusIds, sampleIds, before };
  }

  it('replays every state change of the last hours to a client that reconnects, with the newest samples', () => {
    const bus = new EventBus();
    const { statusIds, sampleIds, before } = threeHours(bus);
    // 2,160 samples and 18 changes: more than the 1,000 events a buffer of everything would hold.
    expect(bus.lastId).toBeGreaterThan(bus.capacity + before);
    const replay = bus.since(before);
    expect(replay.kind).toBe('events');
    if (replay.kind !== 'events') return;
    const types = replay.events.map((e) => e.event.type);
    expect(types.filter((t) => t === 'stack.status-changed')).toHaveLength(18);
    const replayedSamples = replay.events.filter((e) => e.event.type === 'resources.sampled');
    expect(replayedSamples.map((e) => e.id)).toEqual(sampleIds.slice(-12));
    // One stream, in the order the events happened: a change is never shown after a later sample.
    const ids = replay.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toEqual(
      [...new Set([...statusIds, ...sampleIds.slice(-12)])].sort((a, b) => a - b),
    );
  });

  it('replays only what came after the id the client last saw', () => {
    const bus = new EventBus();
    const { statusIds, sampleIds } = threeHours(bus);
    const lastSeen = statusIds.at(-2) ?? 0;
    const replay = bus.since(lastSeen);
    if (replay.kind !== 'events') throw new Error('expected events');
    expect(replay.events.map((e) => e.id)).toEqual(
      [...sampleIds.slice(-12), statusIds.at(-1) ?? 0].filter((id) => id > lastSeen),
    );
  });

  it('still says the events are gone when a state change left the buffer, not when a sample did', () => {
    const bus = new EventBus(3, { sampleCapacity: 2 });
    for (let i = 0; i < 5; i++) bus.publish(statusChanged(`s${i}`)); // ids 1..5, 1 and 2 dropped
    for (let i = 0; i < 5; i++) bus.publish(sampled(i * 5_000)); // ids 6..10, 6..8 dropped
    expect(bus.since(1)).toEqual({ kind: 'expired', oldestId: 3 });
    const replay = bus.since(2);
    expect(replay.kind === 'events' && replay.events.map((e) => e.id)).toEqual([3, 4, 5, 9, 10]);
  });
});
