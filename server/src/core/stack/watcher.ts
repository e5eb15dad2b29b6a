import { AppError } from '../app-error.js';
import type { StackEngineEvent, StackGateway } from './stack-gateway.js';

export type Readiness = 'running' | 'healthy' | 'completed';

interface Waiter {
  containerId: string;
  until: Readiness;
  resolve: () => void;
  reject: (error: Error) => void;
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
  private loop: Promise<void> | undefined;
  private broken: Error | undefined;

  constructor(
    private readonly gateway: StackGateway,
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
        this.broken = new AppError(
          'engine_unavailable',
          `Lost the connection to the Docker engine (${(error as Error).message}). Nothing more was changed; run the command again once the engine is back.`,
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

  /** Resolves when the container reaches `until`; rejects with a ServiceFailure or when the engine is lost. */
  async waitFor(
    service: string,
    containerId: string,
    until: Readiness,
    budgetMs: number,
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
      }
      await reached;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    }
  }
}
