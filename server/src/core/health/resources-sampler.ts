import type { DomainEvent } from '../../contract/events.js';
import type { ResourceSample, ResourcesSnapshot } from '../../contract/resources-routes.js';
import { sampleFromStats, type RawStats } from './resources-stats.js';

/** The engine's stats, as the sampler uses them (dockerode and the cgroup files in infra/docker). */
export interface StatsGateway {
  /** The project's running containers (one-off containers left out). */
  runningContainers(project: string): Promise<Array<{ id: string; service: string }>>;
  /**
   * One reading of a container's counters now, without a previous one (`precpu_stats` empty: the
   * sampler keeps the previous reading); undefined when the container is not running.
   */
  read(containerId: string, signal: AbortSignal): Promise<RawStats | undefined>;
}

export interface ResourceSamplerDeps {
  /** Connects to the engine; called again after a failure (it may throw while there is none). */
  gateway: () => StatsGateway;
  project: string;
  now: () => Date;
  publish: (event: DomainEvent) => void;
  /** Every reading as it is taken (history, alert rules). */
  onSample?: (sample: ResourceSample) => void;
  /**
   * How often every running container is read, its CPU worked out over the interval, and the
   * readings published as one `resources.sampled` event (default 5 s).
   */
  publishIntervalMs?: number;
  onError?: (error: unknown) => void;
}

interface Watched {
  service: string;
  /** The last reading: the CPU counters the next one is compared with. */
  previous?: RawStats;
  /** A read under way: a second one a moment later would give a CPU figure over milliseconds. */
  reading?: boolean;
}

/**
 * Reads every running container of the project once per interval on one shared timer, none when
 * nothing runs (`reconcile`, called on every state change the health monitor publishes, says which
 * containers run). A stats stream per container made the engine sample each one every second, which
 * cost it more CPU than the whole server; a reading every 5 s is what the user sees anyway. CPU is
 * the container's CPU time over the host's since its previous reading, as `docker stats` computes it.
 */
export class ResourceSampler {
  private readonly watched = new Map<string, Watched>();
  private readonly latest = new Map<string, ResourceSample>();
  private readonly listeners = new Set<(sample: ResourceSample) => void>();
  private gateway: StatsGateway | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private round: Promise<void> | undefined;
  /** The reads under way, each with its own signal: `stop` aborts them, no read outlives it. */
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly deps: ResourceSamplerDeps) {}

  private get intervalMs(): number {
    return this.deps.publishIntervalMs ?? 5000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => {
      this.sample().catch((error: unknown) => this.deps.onError?.(error));
    }, this.intervalMs);
    this.timer.unref?.();
    void this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const read of this.inFlight) read.abort();
    await this.reconciling;
    await this.round;
    this.watched.clear();
    this.latest.clear();
  }

  /** Containers read at every interval right now (the running ones while started). */
  get watchedContainers(): number {
    return this.watched.size;
  }

  snapshot(): ResourcesSnapshot {
    return { services: [...this.latest.values()], at: this.deps.now().toISOString() };
  }

  onSample(listener: (sample: ResourceSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Brings the watched containers in line with the running ones. Calls during a run coalesce into
   * one more run, so a burst of state changes costs at most two container lists.
   */
  reconcile(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        await this.reconcileOnce();
      } while (this.again && this.running);
    })().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  /**
   * Reads every watched container once (the timer calls it; a round still under way when the next
   * is due is not doubled) and publishes the readings in one event.
   */
  async sample(): Promise<void> {
    if (!this.running || this.round || this.watched.size === 0) return;
    const gateway = this.gateway;
    if (!gateway) return;
    this.round = this.readAll(gateway, [...this.watched.keys()]);
    try {
      await this.round;
    } finally {
      this.round = undefined;
    }
    if (!this.running || this.latest.size === 0) return;
    this.deps.publish({
      type: 'resources.sampled',
      services: [...this.latest.values()],
      at: this.deps.now().toISOString(),
    });
  }

  private async reconcileOnce(): Promise<void> {
    let running: Array<{ id: string; service: string }>;
    try {
      this.gateway ??= this.deps.gateway();
      running = await this.gateway.runningContainers(this.deps.project);
    } catch (error) {
      // No engine: nothing can be read; the health monitor reports it and reconciles again.
      this.gateway = undefined;
      this.deps.onError?.(error);
      this.watched.clear();
      this.latest.clear();
      return;
    }
    if (!this.running) return;
    const ids = new Set(running.map((c) => c.id));
    for (const [id, { service }] of this.watched) {
      if (ids.has(id)) continue;
      this.watched.delete(id);
      this.forget(service);
    }
    const added = running.filter((c) => !this.watched.has(c.id));
    for (const c of added) this.watched.set(c.id, { service: c.service });
    // A first reading right away: memory and I/O show at once, and the CPU figure of the next
    // round covers one whole interval.
    if (added.length > 0 && this.gateway) {
      await this.readAll(
        this.gateway,
        added.map((c) => c.id),
      );
    }
  }

  /**
   * Reads the given containers at once. A read still unanswered after 10 s (or an interval, if
   * longer) is given up: the engine's one-shot stats take up to a second, more on a busy machine.
   * One signal per read: ten requests listening on one signal make Node warn of a leak.
   */
  private async readAll(gateway: StatsGateway, ids: string[]): Promise<void> {
    const reads = ids.map((id) => ({ id, abort: new AbortController() }));
    for (const read of reads) this.inFlight.add(read.abort);
    const timer = setTimeout(
      () => reads.forEach((read) => read.abort.abort()),
      Math.max(this.intervalMs, 10_000),
    );
    try {
      await Promise.all(reads.map((read) => this.readOne(gateway, read.id, read.abort.signal)));
    } finally {
      clearTimeout(timer);
      for (const read of reads) this.inFlight.delete(read.abort);
    }
  }

  private async readOne(gateway: StatsGateway, id: string, signal: AbortSignal): Promise<void> {
    const before = this.watched.get(id);
    if (!before || before.reading) return;
    before.reading = true;
    let raw: RawStats | undefined;
    try {
      raw = await gateway.read(id, signal);
    } catch (error) {
      if (!signal.aborted) this.deps.onError?.(error);
    } finally {
      before.reading = false;
    }
    const watched = this.watched.get(id);
    // Gone (stopped) or replaced while being read: the reading belongs to no one.
    if (watched !== before || !this.running) return;
    if (!raw) {
      // Stopped, or no answer: no reading rather than an old one; the next round tries again.
      watched.previous = undefined;
      this.forget(watched.service, id);
      return;
    }
    const sample = sampleFromStats(watched.service, {
      ...raw,
      precpu_stats: watched.previous?.cpu_stats ?? {},
    });
    watched.previous = raw;
    if (sample) this.accept(sample);
  }

  private accept(sample: ResourceSample): void {
    this.latest.set(sample.service, sample);
    this.deps.onSample?.(sample);
    for (const listener of [...this.listeners]) {
      try {
        listener(sample);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }

  /** A stopped service has no current reading (unless another of its containers still runs). */
  private forget(service: string, except?: string): void {
    const stillRunning = [...this.watched].some(
      ([id, w]) => w.service === service && id !== except && w.previous !== undefined,
    );
    if (!stillRunning) this.latest.delete(service);
  }
}
