import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthState } from '../docker-gateway.js';
import type {
  ContainerDetails,
  ContainerState,
  StackEngineEvent,
  StackGateway,
} from './stack-gateway.js';
import { ContainerWatcher, PROBE_EVERY_MS, ServiceFailure } from './watcher.js';

/** An engine event for the one container, without its names. */
type Bare<E = StackEngineEvent> = E extends StackEngineEvent
  ? Omit<E, 'service' | 'containerId'>
  : never;

/** One container whose state and events the test drives by hand. */
class FakeGateway implements Pick<StackGateway, 'events' | 'inspectContainer'> {
  state: ContainerState = 'running';
  health: HealthState = 'starting';
  private listener: ((event: StackEngineEvent) => void) | undefined;

  emit(event: Bare): void {
    this.listener?.({ service: 'backend', containerId: 'c1', ...event });
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    return {
      id,
      name: 'mn-backend-1',
      service: 'backend',
      configHash: 'h',
      image: 'backend',
      state: this.state,
      health: this.health,
      ports: [],
      exitCode: this.state === 'exited' ? 1 : 0,
      oomKilled: false,
      startedAt: undefined,
      finishedAt: undefined,
      restartCount: 0,
      lastHealthOutput: undefined,
    };
  }

  async *events(_project: string, signal: AbortSignal): AsyncIterable<StackEngineEvent> {
    const queue: StackEngineEvent[] = [];
    let wake: (() => void) | undefined;
    this.listener = (e) => {
      queue.push(e);
      wake?.();
    };
    signal.addEventListener('abort', () => wake?.(), { once: true });
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) yield next;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
}

/**
 * A healthcheck run that takes `runMs` and passes from its `passFrom`-th run on (never when
 * undefined); it records every run, how many ran at once, and whether each was abandoned.
 */
function fakeProbe(options: { passFrom?: number; runMs?: number } = {}) {
  const runs: Array<{ at: number; aborted: boolean }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const probe = async (signal: AbortSignal): Promise<boolean> => {
    const run = { at: Date.now(), aborted: false };
    runs.push(run);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise<void>((resolve) => {
        const abandon = (): void => {
          run.aborted = true;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', abandon);
          resolve();
        }, options.runMs ?? 20);
        signal.addEventListener('abort', abandon, { once: true });
      });
      return options.passFrom !== undefined && runs.length >= options.passFrom;
    } finally {
      inFlight -= 1;
    }
  };
  return { probe, runs, maxInFlight: () => maxInFlight };
}

/** Lets a promise's outcome be read while fake time stands still. */
function track(promise: Promise<void>) {
  const state: { outcome: 'pending' | 'resolved' | Error } = { outcome: 'pending' };
  promise.then(
    () => (state.outcome = 'resolved'),
    (error: Error) => (state.outcome = error),
  );
  return state;
}

const BUDGET_MS = 60_000;

describe('ContainerWatcher with an active health probe', () => {
  let gateway: FakeGateway;
  let watcher: ContainerWatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    gateway = new FakeGateway();
    watcher = new ContainerWatcher(gateway, 'mn');
    watcher.open();
  });

  afterEach(async () => {
    await watcher.close();
    vi.useRealTimers();
  });

  it('is ready at the first passing probe, while the engine still says "starting"', async () => {
    const { probe, runs } = fakeProbe({ passFrom: 3 });
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    expect(wait.outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(2 * PROBE_EVERY_MS);
    expect(wait.outcome).toBe('resolved');
    expect(runs).toHaveLength(3);
    expect(gateway.health).toBe('starting');
  });

  it('still takes the engine\'s own "healthy" while its probes fail, and then stops probing', async () => {
    const { probe, runs } = fakeProbe({ runMs: 300 });
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(2 * PROBE_EVERY_MS);
    expect(runs.length).toBeGreaterThan(0);
    gateway.emit({ kind: 'health', health: 'healthy' });
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.outcome).toBe('resolved');
    const after = runs.length;
    await vi.advanceTimersByTimeAsync(10 * PROBE_EVERY_MS);
    expect(runs).toHaveLength(after);
  });

  it('rejects as unhealthy when its probes fail and the engine declares it unhealthy', async () => {
    const { probe, runs } = fakeProbe();
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(4 * PROBE_EVERY_MS);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    gateway.emit({ kind: 'health', health: 'unhealthy' });
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.outcome).toBeInstanceOf(ServiceFailure);
    expect(wait.outcome).toMatchObject({ service: 'backend', reason: 'unhealthy' });
    const after = runs.length;
    await vi.advanceTimersByTimeAsync(10 * PROBE_EVERY_MS);
    expect(runs).toHaveLength(after);
  });

  it('rejects when the container exits or runs out of memory, even while a probe runs', async () => {
    const { probe, runs } = fakeProbe({ runMs: 2_000, passFrom: 1 });
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(100);
    gateway.emit({ kind: 'oom' });
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.outcome).toMatchObject({ reason: 'oom' });
    // The probe in flight was abandoned, and its late pass changed nothing.
    expect(runs).toEqual([expect.objectContaining({ aborted: true })]);

    const second = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(100);
    gateway.emit({ kind: 'die', exitCode: 137 });
    await vi.advanceTimersByTimeAsync(0);
    expect(second.outcome).toMatchObject({ reason: 'exited', exitCode: 137 });
  });

  it('keeps the budget: a service whose probes never pass times out, and probing stops', async () => {
    const { probe, runs } = fakeProbe();
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', 5_000, probe));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(wait.outcome).toMatchObject({ reason: 'timeout' });
    const after = runs.length;
    await vi.advanceTimersByTimeAsync(10 * PROBE_EVERY_MS);
    expect(runs).toHaveLength(after);
  });

  it('runs one probe at a time per container, even when a run outlasts the interval', async () => {
    const { probe, runs, maxInFlight } = fakeProbe({ runMs: 3 * PROBE_EVERY_MS });
    const one = track(watcher.waitFor('backend', 'c1', 'healthy', 10_000, probe));
    const two = track(watcher.waitFor('backend', 'c1', 'healthy', 10_000, probe));
    await vi.advanceTimersByTimeAsync(8_000);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(maxInFlight()).toBe(1);
    gateway.emit({ kind: 'health', health: 'healthy' });
    await vi.advanceTimersByTimeAsync(0);
    expect([one.outcome, two.outcome]).toEqual(['resolved', 'resolved']);
  });

  it('probes only once the container runs', async () => {
    gateway.state = 'created';
    gateway.health = 'none';
    const { probe, runs } = fakeProbe({ passFrom: 1 });
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(5 * PROBE_EVERY_MS);
    expect(runs).toHaveLength(0);
    gateway.emit({ kind: 'start' });
    await vi.advanceTimersByTimeAsync(100);
    expect(wait.outcome).toBe('resolved');
    expect(runs).toHaveLength(1);
  });

  it('stops probing when the watcher closes', async () => {
    const { probe, runs } = fakeProbe({ runMs: 2_000 });
    const wait = track(watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(100);
    await watcher.close();
    await vi.advanceTimersByTimeAsync(10 * PROBE_EVERY_MS);
    expect(runs).toEqual([expect.objectContaining({ aborted: true })]);
    expect(wait.outcome).toBe('pending');
  });

  it('with onProbePass, tells of the first pass at once but resolves only on the engine\'s "healthy"', async () => {
    const { probe, runs } = fakeProbe({ passFrom: 2 });
    let passes = 0;
    const wait = track(
      watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe, () => (passes += 1)),
    );
    await vi.advanceTimersByTimeAsync(2 * PROBE_EVERY_MS);
    expect(passes).toBe(1);
    expect(wait.outcome).toBe('pending');
    // Probing stopped at the pass: the engine's verdict is what the wait still needs.
    const after = runs.length;
    await vi.advanceTimersByTimeAsync(10 * PROBE_EVERY_MS);
    expect(runs).toHaveLength(after);
    expect(wait.outcome).toBe('pending');
    gateway.emit({ kind: 'health', health: 'healthy' });
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.outcome).toBe('resolved');
    expect(passes).toBe(1);
  });

  it('with onProbePass, still fails on the engine\'s "unhealthy", an exit or the budget after a pass', async () => {
    const { probe } = fakeProbe({ passFrom: 1 });
    const passed: string[] = [];
    const unhealthy = track(
      watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe, () => passed.push('one')),
    );
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    gateway.emit({ kind: 'health', health: 'unhealthy' });
    await vi.advanceTimersByTimeAsync(0);
    expect(unhealthy.outcome).toMatchObject({ service: 'backend', reason: 'unhealthy' });

    const exited = track(
      watcher.waitFor('backend', 'c1', 'healthy', BUDGET_MS, probe, () => passed.push('two')),
    );
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    gateway.emit({ kind: 'die', exitCode: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(exited.outcome).toMatchObject({ reason: 'exited', exitCode: 3 });

    const late = track(
      watcher.waitFor('backend', 'c1', 'healthy', 5_000, probe, () => passed.push('three')),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(late.outcome).toMatchObject({ reason: 'timeout' });
    expect(passed).toEqual(['one', 'two', 'three']);
  });

  it('ignores the probe for other waits: "running" resolves on the start alone', async () => {
    gateway.state = 'created';
    const { probe, runs } = fakeProbe({ passFrom: 1 });
    const wait = track(watcher.waitFor('backend', 'c1', 'running', BUDGET_MS, probe));
    await vi.advanceTimersByTimeAsync(PROBE_EVERY_MS);
    expect(wait.outcome).toBe('pending');
    gateway.emit({ kind: 'start' });
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.outcome).toBe('resolved');
    expect(runs).toHaveLength(0);
  });
});

describe('a watcher whose engine goes away', () => {
  it('fails its waits in plain words, the socket error kept as the cause', async () => {
    const lost = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const gone: Pick<StackGateway, 'events' | 'inspectContainer'> = {
      inspectContainer: () => Promise.reject(lost),
      // eslint-disable-next-line require-yield
      events: async function* () {
        throw lost;
      },
    };
    const watcher = new ContainerWatcher(gone, 'mn');
    watcher.open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const failure = await watcher.waitFor('backend', 'c1', 'healthy', 1000).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    await watcher.close();
    expect(failure?.code).toBe('engine_unavailable');
    expect(failure?.message).toBe(
      'Lost the connection to the Docker engine. Nothing more was changed; try again once Docker is back.',
    );
    expect(failure?.cause).toBe(lost);
  });
});
