import type { DomainEvent } from '../../contract/events.js';
import type { DeepCheckResult, ServiceHealth, StackHealth } from '../../contract/health.js';
import type { StackPlan } from '../stack/plan.js';
import type { StackEngineEvent, StackGateway } from '../stack/stack-gateway.js';
import {
  affectedNow,
  applyEvent,
  overallStatus,
  stateFromDetails,
  type ServiceSpec,
} from './health-model.js';
import { essentialServices } from './service-graph.js';

export interface HealthMonitorDeps {
  /** Connects to the engine; called again on every reconnect (it may throw while there is none). */
  gateway: () => StackGateway;
  /** The installed stack's plan, or undefined when nothing is installed yet. */
  plan: () => Promise<StackPlan | undefined>;
  project: string;
  publish: (event: DomainEvent) => void;
  now: () => Date;
  /** Waits between reconnect attempts (ms): 1 s, 2 s, 5 s, then every 10 s. */
  backoffMs?: readonly number[];
}

const DEFAULT_BACKOFF = [1000, 2000, 5000, 10_000];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Live health of every service, driven by the engine's event stream: one full inspect when it
 * starts and after every reconnect, then only events. An engine that goes away is a state
 * (`unknown`, with the reason), retried with back-off, never a crash or a stale "healthy".
 */
export class HealthMonitor {
  private readonly abort = new AbortController();
  private readonly services = new Map<string, ServiceHealth>();
  private specs = new Map<string, ServiceSpec>();
  private engineProblem: string | undefined = 'Connecting to the Docker engine…';
  private lastStatus: string | undefined;
  private loop: Promise<void> | undefined;
  private gateway: StackGateway | undefined;

  constructor(private readonly deps: HealthMonitorDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  snapshot(): StackHealth {
    const services = [...this.services.values()];
    const { status, reason } = overallStatus(services, this.specs, this.engineProblem);
    // Without the engine nothing is known to be down, so nothing is said to be affected.
    const affected = this.engineProblem ? {} : affectedNow(services, this.specs);
    return {
      status,
      reason,
      services,
      ...(Object.keys(affected).length > 0 ? { affected } : {}),
      at: this.deps.now().toISOString(),
    };
  }

  /**
   * Folds a deep check's result into a service's health (undefined clears it); ignored for a
   * service the monitor does not know or that is not running any more.
   */
  setDeepCheck(service: string, result: DeepCheckResult | undefined): void {
    const current = this.services.get(service);
    if (!current) return;
    if (result && !['running', 'healthy', 'unhealthy', 'starting'].includes(current.state)) return;
    const { deepCheck: previous, ...rest } = current;
    const next = result ? { ...rest, deepCheck: result } : rest;
    // The same verdict again only refreshes its time: no event every round.
    if (result && previous?.ok === result.ok && previous.output === result.output) {
      this.services.set(service, next);
      return;
    }
    this.set(next);
    this.publishStatus();
  }

  private set(next: ServiceHealth): void {
    const previous = this.services.get(next.service);
    this.services.set(next.service, next);
    if (!previous || JSON.stringify(previous) !== JSON.stringify(next)) {
      this.deps.publish({
        type: 'service.state-changed',
        service: next,
        previous: previous?.state ?? null,
      });
    }
  }

  private publishStatus(): void {
    const { status, reason, affected } = this.snapshot();
    const key = `${status}|${reason}|${JSON.stringify(affected ?? {})}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.deps.publish({
      type: 'stack.status-changed',
      status,
      reason,
      ...(affected ? { affected } : {}),
    });
  }

  private requireGateway(): StackGateway {
    if (!this.gateway) throw new Error('not connected');
    return this.gateway;
  }

  private async resync(): Promise<void> {
    const plan = await this.deps.plan();
    const planned = (plan?.services ?? []).map((s) => ({
      name: s.name,
      dependsOn: s.dependsOn.map((d) => d.service),
    }));
    const essential = essentialServices(planned);
    this.specs = new Map(
      (plan?.services ?? []).map((s) => [
        s.name,
        {
          name: s.name,
          oneShot: s.oneShot,
          hasHealthcheck: s.healthBudgetMs !== undefined,
          dependsOn: s.dependsOn.map((d) => d.service),
          essential: essential.has(s.name),
        },
      ]),
    );
    for (const name of this.services.keys()) if (!this.specs.has(name)) this.services.delete(name);
    const gateway = this.requireGateway();
    const containers = await gateway.listContainers(this.deps.project);
    for (const spec of this.specs.values()) {
      const summary = containers.find((c) => c.service === spec.name);
      const details = summary ? await gateway.inspectContainer(summary.id) : undefined;
      this.set(stateFromDetails(spec, details));
    }
  }

  private async onEvent(event: StackEngineEvent): Promise<void> {
    const spec = this.specs.get(event.service);
    const current = this.services.get(event.service);
    if (!spec || !current) {
      // A service of a plan written since the last resync (an install, a new profile): read it.
      if (event.kind === 'start') await this.resync();
      return;
    }
    let next = applyEvent(current, spec, event, this.deps.now().toISOString());
    if (event.kind === 'die') {
      // The engine answers an inspect of a container that just died only once it has cleaned up
      // (~50 ms): the exit is told first, the inspect's restart count and OOM flag follow.
      this.set(next);
      this.publishStatus();
    }
    // A die carries no OOM flag or restart count, and a health event no check output: ask once.
    if (event.kind === 'die' || event.kind === 'health' || event.kind === 'start') {
      const details = await this.requireGateway()
        .inspectContainer(event.containerId)
        .catch(() => undefined);
      if (details) {
        next = {
          ...next,
          restarts: details.restartCount,
          oomKilled: details.oomKilled || next.oomKilled,
          lastCheck: details.lastHealthOutput ?? next.lastCheck,
        };
      }
    }
    this.set(next);
  }

  private async run(): Promise<void> {
    const backoff = this.deps.backoffMs ?? DEFAULT_BACKOFF;
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        let opened!: () => void;
        const open = new Promise<void>((resolve) => (opened = resolve));
        this.gateway = this.deps.gateway();
        const stream = this.gateway.events(this.deps.project, signal, () => opened());
        const events = stream[Symbol.asyncIterator]();
        const first = events.next();
        first.catch(() => undefined);
        await Promise.race([open, first]);
        await this.resync();
        this.engineProblem = undefined;
        attempt = 0;
        this.publishStatus();
        for (let item = await first; !item.done; item = await events.next()) {
          await this.onEvent(item.value);
          this.publishStatus();
        }
        if (!signal.aborted) throw new Error('the event stream ended');
      } catch {
        if (signal.aborted) break;
        // The reason reaches the UI and the tray: plain words, no error code (ENOENT...); the
        // doctor tells the details.
        this.engineProblem = 'The Docker engine is not reachable; reconnecting.';
        this.publishStatus();
        await sleep(backoff[Math.min(attempt, backoff.length - 1)] ?? 10_000, signal);
        attempt += 1;
      }
    }
  }
}
