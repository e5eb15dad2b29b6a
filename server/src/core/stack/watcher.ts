import { AppError } from '../app-error.js';
import type { StackEngineEvent, StackGateway } from './stack-gateway.js';

export type Readiness = 'running' | 'healthy' | 'completed';

/** Runs the service's healthcheck once, now; true when it passes (see HealthProbe). */
export type ActiveProbe = (signal: AbortSignal) => Promise<boolean>;

/** Time between two runs of an active probe: a ready service is seen within about this long. */
export const PROBE_EVERY_MS = 500;

interface Waiter {
  containerId: string;
  until: Readiness;
  resolve: () => void;
  reject: (error: Error) => void;
  /** Called whenever the container is seen running. */
  running?: () => void;
  /** Called (once) when an active probe passes, instead of resolving: see waitFor's `onProbePass`. */
  probePassed?: () => void;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Why a wait ended badly, for the reconciler to explain in the user's terms. */
export class ServiceFailure extends Error {
  constructor(
    readonly service: string,
    readonly reason: 'exited' | 'unhealthy' | 'timeout' | 'oom',
    readonly exitCode?: number,
  ) {
    super(`${service}: ${reason}`);
  }
}

/**
 * Waits for containers to reach a state by listening to the engine's event stream (never polling).
 * Open it before starting containers so no event is missed; each wait also inspects once, for
 * containers that reached the state before the stream was listening.
 */
export class ContainerWatcher {
  private readonly abort = new AbortController();
  private readonly waiters = new Set<Waiter>();
  /** The active probe running in each container: never more than one at a time. */
  private readonly probing = new Map<string, Promise<boolean>>();
  private loop: Promise<void> | undefined;
  private broken: Error | undefined;

  constructor(
    private readonly gateway: Pick<StackGateway, 'events' | 'inspectContainer'>,
    private readonly project: string,
  ) {}

  open(): void {
    const events = this.gateway.events(this.project, this.abort.signal);
    this.loop = (async () => {
      try {
        for await (const event of events) this.dispatch(event);
        if (!this.abort.signal.aborted) throw new Error('the event stream ended');
      } catch (error) {
        if (this.abort.signal.aborted) return;
        // The message reaches the app (a job's error) as well as the CLI: plain words; the socket
        // error (ECONNRESET...) stays with the cause, for the log.
        this.broken = new AppError(
          'engine_unavailable',
          'Lost the connection to the Docker engine. Nothing more was changed; try again once Docker is back.',
          undefined,
          { cause: error },
        );
        for (const waiter of this.waiters) waiter.reject(this.broken);
        this.waiters.clear();
      }
    })();
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private dispatch(event: StackEngineEvent): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.containerId !== event.containerId) continue;
      if (event.kind === 'start') waiter.running?.();
      const done = this.outcome(waiter, event);
      if (done === undefined) continue;
      this.waiters.delete(waiter);
      if (done === true) waiter.resolve();
      else waiter.reject(done);
    }
  }

  private outcome(waiter: Waiter, event: StackEngineEvent): true | Error | undefined {
    switch (event.kind) {
      case 'start':
        return waiter.until === 'running' ? true : undefined;
      case 'health':
        if (waiter.until !== 'healthy') return undefined;
        return event.health === 'healthy' ? true : new ServiceFailure(event.service, 'unhealthy');
      case 'die':
        if (waiter.until === 'completed') {
          return event.exitCode === 0
            ? true
            : new ServiceFailure(event.service, 'exited', event.exitCode);
        }
        return new ServiceFailure(event.service, 'exited', event.exitCode);
      case 'oom':
        return new ServiceFailure(event.service, 'oom');
      case 'destroy':
        return new ServiceFailure(event.service, 'exited');
    }
  }

  /**
   * Resolves when the container reaches `until`; rejects with a ServiceFailure or when the engine is
   * lost. With `probe` and `until` "healthy", the healthcheck is also run actively every
   * PROBE_EVERY_MS once the container runs (one run at a time): its first pass resolves too, so the
   * wait does not last until the engine's own first check, one interval after start. The engine's
   * verdicts (healthy, unhealthy, exit, OOM) and the budget apply exactly as without it.
   *
   * With `onProbePass` too, the probe's first pass calls it (once) and probing stops, but the wait
   * goes on until the engine's own verdict: it resolves only when the engine says healthy, and a
   * later unhealthy, exit, OOM or the budget still fail it. Not called when the engine's healthy
   * verdict comes first.
   */
  async waitFor(
    service: string,
    containerId: string,
    until: Readiness,
    budgetMs: number,
    probe?: ActiveProbe,
    onProbePass?: () => void,
  ): Promise<void> {
    if (this.broken) throw this.broken;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waiter: Waiter = {
      containerId,
      until,
      resolve: () => undefined,
      reject: () => undefined,
    };
    const reached = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
      timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ServiceFailure(service, 'timeout'));
      }, budgetMs);
    });
    const stopProbing = new AbortController();
    const stop = (): void => stopProbing.abort();
    this.abort.signal.addEventListener('abort', stop, { once: true });
    let probing: Promise<void> | undefined;
    if (probe && until === 'healthy') {
      if (onProbePass) waiter.probePassed = onProbePass;
      waiter.running = () => {
        probing ??= this.probeUntilSettled(waiter, probe, stopProbing.signal);
      };
    }
    this.waiters.add(waiter);
    try {
      // The state may have been reached before we listened: look once.
      const now = await this.gateway.inspectContainer(containerId);
      const already =
        (until === 'running' && now.state === 'running') ||
        (until === 'healthy' && now.health === 'healthy') ||
        (until === 'completed' && now.state === 'exited' && now.exitCode === 0);
      const failed =
        (until !== 'completed' && (now.state === 'exited' || now.state === 'dead')) ||
        (until === 'completed' && now.state === 'exited' && now.exitCode !== 0) ||
        (until === 'healthy' && now.health === 'unhealthy');
      if (already && this.waiters.delete(waiter)) waiter.resolve();
      else if (failed && this.waiters.delete(waiter)) {
        waiter.reject(
          new ServiceFailure(
            service,
            now.health === 'unhealthy' ? 'unhealthy' : 'exited',
            now.exitCode,
          ),
        );
      } else if (now.state === 'running') waiter.running?.();
      await reached;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter);
      stop();
      this.abort.signal.removeEventListener('abort', stop);
      // Nothing of this wait keeps running after it: a probe in flight is abandoned and awaited.
      await probing;
    }
  }

  /**
   * Probes until one run passes (then resolves the wait, or tells `probePassed` and leaves the wait
   * to the engine's verdict) or the wait ends some other way.
   */
  private async probeUntilSettled(
    waiter: Waiter,
    probe: ActiveProbe,
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted && this.waiters.has(waiter)) {
      const passed = await this.probeOnce(waiter.containerId, probe, signal);
      if (signal.aborted) return;
      if (passed) {
        if (!this.waiters.has(waiter)) return;
        if (waiter.probePassed) waiter.probePassed();
        else if (this.waiters.delete(waiter)) waiter.resolve();
        return;
      }
      await pause(PROBE_EVERY_MS, signal);
    }
  }

  private async probeOnce(
    containerId: string,
    probe: ActiveProbe,
    signal: AbortSignal,
  ): Promise<boolean> {
    // Another wait's run in the same container first finishes.
    for (let other = this.probing.get(containerId); other; other = this.probing.get(containerId))
      await other;
    if (signal.aborted) return false;
    const run = probe(signal).catch(() => false);
    this.probing.set(containerId, run);
    try {
      return await run;
    } finally {
      this.probing.delete(containerId);
    }
  }
}
