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
  });
});
