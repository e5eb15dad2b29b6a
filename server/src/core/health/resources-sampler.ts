import type { DomainEvent } from '../../contract/events.js';
import type { ResourceSample, ResourcesSnapshot } from '../../contract/resources-routes.js';
import { sampleFromStats, type RawStats } from './resources-stats.js';

/** The engine's stats, as the sampler uses them (dockerode in infra/docker). */
export interface StatsGateway {
  /** The project's running containers (one-off containers left out). */
  runningContainers(project: string): Promise<Array<{ id: string; service: string }>>;
  /**
   * The engine's stats stream of one container (a frame about every second) until the signal
   * aborts or the engine ends it.
   */
  stats(containerId: string, signal: AbortSignal): AsyncIterable<RawStats>;
}

export interface ResourceSamplerDeps {
  /** Connects to the engine; called again after a failure (it may throw while there is none). */
  gateway: () => StatsGateway;
  project: string;
  now: () => Date;
  publish: (event: DomainEvent) => void;
  /** Every reading as it arrives (history, alert rules). */
  onSample?: (sample: ResourceSample) => void;
  /** How often the latest readings go out as one `resources.sampled` event (default 5 s). */
  publishIntervalMs?: number;
  onError?: (error: unknown) => void;
}

interface OpenStream {
  service: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * One shared stats stream per running container of the project: opened when it runs, closed when
 * it stops, dies or goes away (`reconcile`, called on every state change the health monitor
 * publishes), none when nothing runs. Keeps each service's latest reading and publishes them all
 * in one event at most every few seconds.
 */
export class ResourceSampler {
  private readonly streams = new Map<string, OpenStream>();
  private readonly latest = new Map<string, ResourceSample>();
  private readonly listeners = new Set<(sample: ResourceSample) => void>();
  private gateway: StatsGateway | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private fresh = false;

  constructor(private readonly deps: ResourceSamplerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.tick(), this.deps.publishIntervalMs ?? 5000);
    this.timer.unref?.();
    void this.reconcile();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.reconciling;
    await this.closeAll();
  }

  /** Open streams right now (one per running container while started). */
  get openStreams(): number {
    return this.streams.size;
  }

  snapshot(): ResourcesSnapshot {
    return { services: [...this.latest.values()], at: this.deps.now().toISOString() };
  }

  onSample(listener: (sample: ResourceSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Brings the open streams in line with the running containers. Calls during a run coalesce into
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

  private async reconcileOnce(): Promise<void> {
    let running: Array<{ id: string; service: string }>;
    try {
      this.gateway ??= this.deps.gateway();
      running = await this.gateway.runningContainers(this.deps.project);
    } catch (error) {
      // No engine: nothing can be read; the health monitor reports it and reconciles again.
      this.gateway = undefined;
      this.deps.onError?.(error);
      await this.closeAll();
      return;
    }
    if (!this.running) return;
    const ids = new Set(running.map((c) => c.id));
    const closing = [...this.streams.keys()].filter((id) => !ids.has(id));
    await Promise.all(closing.map((id) => this.close(id)));
    for (const container of running) {
      if (!this.streams.has(container.id)) this.open(container.id, container.service);
    }
  }

  private open(id: string, service: string): void {
    const gateway = this.gateway;
    if (!gateway) return;
    const abort = new AbortController();
    const done = (async () => {
      try {
        for await (const frame of gateway.stats(id, abort.signal)) {
          const sample = sampleFromStats(service, frame);
          if (sample) this.accept(sample);
        }
      } catch (error) {
        if (!abort.signal.aborted) this.deps.onError?.(error);
      } finally {
        if (this.streams.get(id)?.abort === abort) {
          this.streams.delete(id);
          this.forget(service);
        }
      }
    })();
    this.streams.set(id, { service, abort, done });
  }

  private accept(sample: ResourceSample): void {
    this.latest.set(sample.service, sample);
    this.fresh = true;
    this.deps.onSample?.(sample);
    for (const listener of [...this.listeners]) {
      try {
        listener(sample);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }

  /** A stopped service has no current reading. */
  private forget(service: string): void {
    const stillOpen = [...this.streams.values()].some((s) => s.service === service);
    if (!stillOpen) this.latest.delete(service);
  }

  private async close(id: string): Promise<void> {
    const stream = this.streams.get(id);
    if (!stream) return;
    this.streams.delete(id);
    stream.abort.abort();
    this.forget(stream.service);
    await stream.done;
  }

  private async closeAll(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((id) => this.close(id)));
  }

  private tick(): void {
    if (!this.fresh || this.latest.size === 0) return;
    this.fresh = false;
    this.deps.publish({
      type: 'resources.sampled',
      services: [...this.latest.values()],
      at: this.deps.now().toISOString(),
    });
  }
}
