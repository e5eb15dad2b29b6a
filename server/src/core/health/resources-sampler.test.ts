import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import type { ResourceSample } from '../../contract/resources-routes.js';
import { ResourceSampler, type StatsGateway } from './resources-sampler.js';
import type { RawStats } from './resources-stats.js';

/** A fake engine: containers that run, each with a stats stream the test feeds frame by frame. */
class FakeStats implements StatsGateway {
  running: Array<{ id: string; service: string }> = [];
  lists = 0;
  readonly opened: string[] = [];
  readonly open = new Map<string, (frame: RawStats | undefined) => void>();

  runningContainers(): Promise<Array<{ id: string; service: string }>> {
    this.lists += 1;
    return Promise.resolve([...this.running]);
  }

  async *stats(id: string, signal: AbortSignal): AsyncIterable<RawStats> {
    this.opened.push(id);
    const queue: Array<RawStats | undefined> = [];
    let wake: (() => void) | undefined;
    this.open.set(id, (frame) => {
      queue.push(frame);
      wake?.();
    });
    signal.addEventListener('abort', () => {
      queue.push(undefined);
      wake?.();
    });
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const next = queue.shift();
        if (next === undefined) return;
        yield next;
      }
    } finally {
      this.open.delete(id);
    }
  }

  /** The engine sends a frame (memory in MiB) for a container. */
  send(id: string, memoryMiB: number): void {
    this.open.get(id)?.({
      read: '2026-01-01T00:00:00Z',
      memory_stats: { usage: memoryMiB * 2 ** 20, limit: 2 ** 30 },
    });
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

let sampler: ResourceSampler | undefined;
afterEach(async () => {
  await sampler?.stop();
});

function setup(publishIntervalMs = 60_000) {
  const engine = new FakeStats();
  const events: DomainEvent[] = [];
  const samples: ResourceSample[] = [];
  sampler = new ResourceSampler({
    gateway: () => engine,
    project: 'test',
    now: () => new Date('2026-01-01T00:00:01Z'),
    publish: (event) => events.push(event),
    onSample: (sample) => samples.push(sample),
    publishIntervalMs,
  });
  return { engine, events, samples, sampler };
}

describe('the resource sampler', () => {
  it('opens nothing while nothing runs', async () => {
    const { engine, sampler } = setup();
    sampler.start();
    await sampler.reconcile();
    expect(sampler.openStreams).toBe(0);
    expect(engine.opened).toEqual([]);
    expect(sampler.snapshot().services).toEqual([]);
  });

  it('shares one stream per running container and closes it when the container stops', async () => {
    const { engine, sampler, samples } = setup();
    engine.running = [
      { id: 'c1', service: 'postgres' },
      { id: 'c2', service: 'redis' },
    ];
    sampler.start();
    await sampler.reconcile();
    // More state changes while running: still one stream each.
    await Promise.all([sampler.reconcile(), sampler.reconcile()]);
    expect(engine.opened).toEqual(['c1', 'c2']);
    expect(sampler.openStreams).toBe(2);

    engine.send('c1', 100);
    engine.send('c2', 5);
    await flush();
    expect(samples.map((s) => [s.service, s.memoryBytes / 2 ** 20])).toEqual([
      ['postgres', 100],
      ['redis', 5],
    ]);
    expect(sampler.snapshot().services.map((s) => s.service)).toEqual(['postgres', 'redis']);

    engine.running = [{ id: 'c1', service: 'postgres' }];
    await sampler.reconcile();
    expect(sampler.openStreams).toBe(1);
    expect(engine.open.has('c2')).toBe(false);
    // A stopped service has no current reading.
    expect(sampler.snapshot().services.map((s) => s.service)).toEqual(['postgres']);

    await sampler.stop();
    expect(sampler.openStreams).toBe(0);
    expect(engine.open.size).toBe(0);
  });

  it('coalesces a burst of state changes into at most two container lists', async () => {
    const { engine, sampler } = setup();
    sampler.start();
    const burst = Array.from({ length: 10 }, () => sampler.reconcile());
    await Promise.all(burst);
    await sampler.reconcile();
    expect(engine.lists).toBeLessThanOrEqual(3);
  });

  it('publishes every service in one event per interval, and none when nothing new came', async () => {
    const { engine, sampler, events } = setup(20);
    engine.running = [
      { id: 'c1', service: 'postgres' },
      { id: 'c2', service: 'redis' },
    ];
    sampler.start();
    await sampler.reconcile();
    engine.send('c1', 100);
    engine.send('c2', 5);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const sampled = events.filter((e) => e.type === 'resources.sampled');
    expect(sampled).toHaveLength(1);
    expect(sampled[0]?.type === 'resources.sampled' && sampled[0].services.length).toBe(2);
  });

  it('closes every stream when the engine cannot be asked', async () => {
    const { engine, sampler } = setup();
    engine.running = [{ id: 'c1', service: 'postgres' }];
    sampler.start();
    await sampler.reconcile();
    expect(sampler.openStreams).toBe(1);
    engine.runningContainers = () => Promise.reject(new Error('connect ENOENT'));
    await sampler.reconcile();
    expect(sampler.openStreams).toBe(0);
  });
});
