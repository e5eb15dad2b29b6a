import type { DomainEvent } from '../../contract/events.js';
import type { DockerGatewayFactory } from '../docker-gateway.js';
import { Rounds } from '../rounds.js';
import { discoverEngines } from './discovery.js';
import type { DiscoveryContext } from './host-probe.js';

type EngineEvent = Extract<DomainEvent, { type: 'engine.appeared' | 'engine.went-away' }>;

/**
 * The endpoint of the engine that answers now, or undefined. Same choice as the doctor: an explicit
 * DOCKER_HOST or context is the only one tried; otherwise the first known socket that answers.
 */
export async function findAnsweringEngine(
  discovery: DiscoveryContext,
  connect: DockerGatewayFactory,
): Promise<string | undefined> {
  const { candidates } = discoverEngines(discovery);
  const first = candidates[0];
  if (!first) return undefined;
  const explicit = first.source === 'DOCKER_HOST' || first.source === 'context';
  for (const candidate of explicit ? [first] : candidates) {
    try {
      await connect(candidate.endpoint).ping();
      return candidate.endpoint;
    } catch {
      // Not this one; the next candidate, or "no engine" for now.
    }
  }
  return undefined;
}

export interface EngineWatcherDeps {
  /** The endpoint that answers now, or undefined (findAnsweringEngine in production). */
  probe: () => Promise<string | undefined>;
  publish: (event: EngineEvent) => void;
  now: () => Date;
  /** How often to look while no engine answers: someone is waiting for it. Default 3 s. */
  absentMs?: number;
  /** How often to look while one does: only to notice it going away. Default 15 s. */
  presentMs?: number;
}

/**
 * Watches for a Docker engine appearing (a user just installed or started it) and going away, so
 * the setup page goes on by itself instead of asking the user to press "Check again". The first
 * look sets the baseline and publishes nothing: only changes are news.
 */
export class EngineWatcher {
  private current: string | undefined;
  private known = false;
  // Often while no engine answers (someone is waiting for it), seldom while one does.
  private readonly rounds = new Rounds(
    () => this.look(),
    () =>
      this.current !== undefined ? (this.deps.presentMs ?? 15_000) : (this.deps.absentMs ?? 3_000),
  );

  constructor(private readonly deps: EngineWatcherDeps) {}

  /** The endpoint that answered at the last look; undefined before the first or while none does. */
  get endpoint(): string | undefined {
    return this.current;
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Looks now (also used by tests and by a "Check again" that should not wait for the timer). */
  async look(): Promise<void> {
    const endpoint = await this.deps.probe().catch(() => undefined);
    const at = this.deps.now().toISOString();
    if (this.known && endpoint !== this.current) {
      if (this.current !== undefined) {
        this.deps.publish({ type: 'engine.went-away', endpoint: this.current, at });
      }
      if (endpoint !== undefined) this.deps.publish({ type: 'engine.appeared', endpoint, at });
    }
    this.current = endpoint;
    this.known = true;
  }
}
