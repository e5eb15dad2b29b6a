import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../contract/events.js';
import type { ResourceSample } from '../../contract/resources-routes.js';
import { ResourceSampler, type StatsGateway } from './resources-sampler.js';
import type { RawStats } from './resources-stats.js';

interface Counters {
  /** The container's CPU time so far, in seconds. */
  cpuSeconds: number;
  memoryMiB: number;
}

/**
 * A fake engine: containers that run, each with counters the test moves forward, and a host clock
 * (2 CPUs) the test moves too. A container with no counters does not answer.
 */
class FakeStats implements StatsGateway {
  running: Array<{ id: string; service: string }> = [];
  lists = 0;
  readonly reads: string[] = [];
  readonly counters = new Map<string, Counters>();
  /** The host's wall clock in seconds: its CPU time is twice that (2 CPUs). */
  hostSeconds = 1000;
  /** Holds every read until released, to see what happens while a round is under way. */
  gate: Promise<void> | undefined;
  failing = new Set<string>();

  runningContainers(): Promise<Array<{ id: string; service: string }>> {
    this.lists += 1;
    return Promise.resolve([...this.running]);
  }

  readonly signals = new Set<AbortSignal>();

  async read(id: string, signal: AbortSignal): Promise<RawStats | undefined> {
    this.reads.push(id);
    this.signals.add(signal);
    if (this.gate) {
      await Promise.race([
        this.gate,
        new Promise((resolve) => signal.addEventListener('abort', resolve)),
      ]);
    }
    if (signal.aborted) throw new Error('aborted');
    if (this.failing.has(id)) throw new Error('connect ECONNREFUSED');
    const c = this.counters.get(id);
    if (!c) return undefined;
    return {
      read: '2026-01-01T00:00:00Z',
      cpu_stats: {
        cpu_usage: { total_usage: c.cpuSeconds * 1e9 },
        system_cpu_usage: this.hostSeconds * 2 * 1e9,
        online_cpus: 2,
      },
      // What the engine's one-shot answer carries: no previous reading.
      precpu_stats: {},
      memory_stats: { usage: c.memoryMiB * 2 ** 20, limit: 2 ** 30 },
    };
  }
}

let sampler: ResourceSampler | undefined;
afterEach(async () => {
  await sampler?.stop();
});

function setup(publishIntervalMs = 3_600_000) {
  const engine = new FakeStats();
  const events: DomainEvent[] = [];
  const samples: ResourceSample[] = [];
  const errors: unknown[] = [];
  sampler = new ResourceSampler({
    gateway: () => engine,
    project: 'test',
    now: () => new Date('2026-01-01T00:00:01Z'),
    publish: (event) => events.push(event),
    onSample: (sample) => samples.push(sample),
    onError: (error) => errors.push(error),
    publishIntervalMs,
  });
  return { engine, events, samples, errors, sampler };
}

const sampled = (events: DomainEvent[]) =>
  events.flatMap((e) => (e.type === 'resources.sampled' ? [e] : []));

interface Container extends Counters {
  id: string;
  service: string;
}

const POSTGRES: Container = { id: 'c1', service: 'postgres', cpuSeconds: 1, memoryMiB: 100 };
const REDIS: Container = { id: 'c2', service: 'redis', cpuSeconds: 1, memoryMiB: 5 };

/** A started sampler with these containers running, its first reading of each taken. */
async function startedWith(containers: Container[], publishIntervalMs?: number) {
  const started = setup(publishIntervalMs);
  started.engine.running = containers.map(({ id, service }) => ({ id, service }));
  for (const { id, cpuSeconds, memoryMiB } of containers) {
    started.engine.counters.set(id, { cpuSeconds, memoryMiB });
  }
  started.sampler.start();
  await started.sampler.reconcile();
  return started;
}

describe('the resource sampler', () => {
  it('reads nothing and publishes nothing while nothing runs', async () => {
    const { engine, sampler, events } = await startedWith([]);
    await sampler.sample();
    expect(sampler.watchedContainers).toBe(0);
    expect(engine.reads).toEqual([]);
    expect(events).toEqual([]);
    expect(sampler.snapshot().services).toEqual([]);
  });

  it('reads each running container once per round and stops reading one that stopped', async () => {
    const { engine, sampler, samples } = setup();
    engine.running = [
      { id: 'c1', service: 'postgres' },
      { id: 'c2', service: 'redis' },
    ];
    engine.counters.set('c1', { cpuSeconds: 1, memoryMiB: 100 });
    engine.counters.set('c2', { cpuSeconds: 1, memoryMiB: 5 });
    sampler.start();
    // More state changes while running: still one reading each (the first, taken at once).
    await Promise.all([sampler.reconcile(), sampler.reconcile()]);
    expect(engine.reads.sort()).toEqual(['c1', 'c2']);
    expect(sampler.watchedContainers).toBe(2);
    expect(samples.map((s) => [s.service, s.memoryBytes / 2 ** 20]).sort()).toEqual([
      ['postgres', 100],
      ['redis', 5],
    ]);

    engine.reads.length = 0;
    await sampler.sample();
    expect(engine.reads.sort()).toEqual(['c1', 'c2']);

    engine.running = [{ id: 'c1', service: 'postgres' }];
    engine.counters.delete('c2');
    await sampler.reconcile();
    expect(sampler.watchedContainers).toBe(1);
    // A stopped service has no current reading.
    expect(sampler.snapshot().services.map((s) => s.service)).toEqual(['postgres']);
    engine.reads.length = 0;
    await sampler.sample();
    expect(engine.reads).toEqual(['c1']);

    await sampler.stop();
    expect(sampler.watchedContainers).toBe(0);
  });

  it('works out CPU over the interval since the previous reading, as docker stats does', async () => {
    const { engine, sampler, samples } = await startedWith([
      { id: 'c1', service: 'backend', cpuSeconds: 10, memoryMiB: 50 },
    ]);
    // The first reading has nothing to compare with.
    expect(samples.at(-1)?.cpuPercent).toBe(0);

    // 5 s later the container has used 0.5 s of CPU: 10 % of one core.
    engine.hostSeconds += 5;
    engine.counters.set('c1', { cpuSeconds: 10.5, memoryMiB: 50 });
    await sampler.sample();
    expect(samples.at(-1)?.cpuPercent).toBeCloseTo(10, 10);

    // Then 2 s of CPU in 5 s: 40 %, measured from the reading before, not the first.
    engine.hostSeconds += 5;
    engine.counters.set('c1', { cpuSeconds: 12.5, memoryMiB: 50 });
    await sampler.sample();
    expect(samples.at(-1)?.cpuPercent).toBeCloseTo(40, 10);
  });

  it('publishes every service in one event per round', async () => {
    const { sampler, events } = await startedWith([POSTGRES, REDIS]);
    expect(sampled(events)).toHaveLength(0);
    await sampler.sample();
    await sampler.sample();
    expect(sampled(events)).toHaveLength(2);
    expect(
      sampled(events)[1]
        ?.services.map((s) => s.service)
        .sort(),
    ).toEqual(['postgres', 'redis']);
  });

  it('reads and publishes on its own timer', async () => {
    const { engine, events } = await startedWith([POSTGRES], 20);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(sampled(events).length).toBeGreaterThanOrEqual(1);
    expect(engine.reads.length).toBeGreaterThanOrEqual(2);
  });

  it('does not start a round while one is under way', async () => {
    const { engine, sampler } = await startedWith([POSTGRES]);
    let release = (): void => undefined;
    engine.gate = new Promise((resolve) => (release = resolve));
    engine.reads.length = 0;
    const first = sampler.sample();
    const second = sampler.sample();
    release();
    await Promise.all([first, second]);
    expect(engine.reads).toEqual(['c1']);
  });

  it('shows no reading for a container that did not answer, and reads it again next round', async () => {
    const { engine, sampler, errors } = await startedWith([POSTGRES, REDIS]);
    engine.failing.add('c2');
    await sampler.sample();
    expect(errors).toHaveLength(1);
    expect(sampler.snapshot().services.map((s) => s.service)).toEqual(['postgres']);
    engine.failing.clear();
    await sampler.sample();
    expect(
      sampler
        .snapshot()
        .services.map((s) => s.service)
        .sort(),
    ).toEqual(['postgres', 'redis']);
  });

  it('coalesces a burst of state changes into at most two container lists', async () => {
    const { engine, sampler } = setup();
    sampler.start();
    const burst = Array.from({ length: 10 }, () => sampler.reconcile());
    await Promise.all(burst);
    await sampler.reconcile();
    expect(engine.lists).toBeLessThanOrEqual(3);
  });

  it('watches nothing when the engine cannot be asked', async () => {
    const { engine, sampler } = await startedWith([POSTGRES]);
    expect(sampler.watchedContainers).toBe(1);
    engine.runningContainers = () => Promise.reject(new Error('connect ENOENT'));
    await sampler.reconcile();
    expect(sampler.watchedContainers).toBe(0);
    expect(sampler.snapshot().services).toEqual([]);
  });

  it('gives every read its own signal (a dozen requests on one make Node warn of a leak)', async () => {
    const { engine, sampler } = await startedWith(
      Array.from({ length: 12 }, (_, i) => ({
        id: `c${i}`,
        service: `s${i}`,
        cpuSeconds: 1,
        memoryMiB: 1,
      })),
    );
    await sampler.sample();
    expect(engine.reads).toHaveLength(24);
    expect(engine.signals.size).toBe(24);
  });

  it('gives up a read under way when stopped', async () => {
    const { engine, sampler, errors } = await startedWith([POSTGRES]);
    engine.gate = new Promise(() => undefined);
    const round = sampler.sample();
    await sampler.stop();
    await round;
    // An abort is no error to report.
    expect(errors).toEqual([]);
  });
});
