import type { StackProgress } from '../../contract/stack.js';
import { AppError, toAppError } from '../app-error.js';
import type { HostProbe } from '../doctor/host-probe.js';
import { durationMs } from './compose-model.js';
import type { PullPolicy } from './config.js';
import { isRunnableTest, type HealthProbe } from './health-probe.js';
import { LABEL_IMAGE_COMMAND, withImageCommand } from './image-command.js';
import type { DesiredService, StackPlan } from './plan.js';
import type { ContainerSummary, OwnershipFix, StackGateway } from './stack-gateway.js';
import { preflightStart } from './start-preflight.js';
import { ContainerWatcher, ServiceFailure, type ActiveProbe, type Readiness } from './watcher.js';

export interface ReconcilerDeps {
  gateway: StackGateway;
  probe: Pick<HostProbe, 'probePort'>;
  onProgress: (event: StackProgress) => void;
  /** Masks secret values in text shown to the user (container output in failure messages). */
  redact: (text: string) => string;
  /** Runs a healthcheck on demand (HealthGate); without it, starts wait on Docker's verdict only. */
  healthProbe?: HealthProbe;
  /**
   * Prepares what a one-shot job reads before each run (the migrations it applies); a failure
   * stops the start before the job, with what depends on it not started.
   */
  beforeRun?: (service: DesiredService) => Promise<void>;
  /**
   * Checks the images of the services about to be brought (once they are on this machine), before
   * anything changes; throws what would stop them from starting (`images check`).
   */
  checkImages?: (services: DesiredService[]) => Promise<void>;
}

/**
 * How a start waits for a service with a healthcheck:
 * - `confirmed` (the default): we also run the service's own healthcheck (HealthProbe) about every
 *   500 ms once it runs, and what depends on it starts at its first pass; the start still returns
 *   only once Docker itself reports every started service healthy, so its status says `healthy` the
 *   moment the start returns. Without a health probe in the deps, the same as `docker`.
 * - `docker`: dependents and the return wait for Docker's own verdict, whose first check comes one
 *   `interval` after start on engines without `start_interval` (before API 1.44).
 * - `probe`: our healthcheck's first pass is enough for dependents and for the return; Docker's own
 *   status may still say `starting` for up to one interval afterwards.
 */
export type HealthGate = 'confirmed' | 'docker' | 'probe';

/** How a start waits for its services. */
export interface GateOptions {
  /** `confirmed` when omitted (see HealthGate). */
  healthGate?: HealthGate;
  /** The same as `healthGate: 'probe'` (what a restore's start uses). */
  activeHealth?: boolean;
}

/** Progress detail when a service's own healthcheck passed before Docker's first verdict. */
export const PROBE_PASSED_DETAIL =
  'its healthcheck passed, what depends on it starts now; waiting for Docker to report it healthy';

export interface UpOptions extends GateOptions {
  pullPolicy: PullPolicy;
  /** Owners the containers need on their bind folders and secret copies; applied before anything starts. */
  ownership: OwnershipFix[];
  /** Only these services (and what they depend on); all when omitted. */
  services?: string[];
}

export interface UpResult {
  created: string[];
  recreated: string[];
  started: string[];
  unchanged: string[];
  removed: string[];
}

const ONE_SHOT_BUDGET_MS = 15 * 60_000;
/** How often a running one-shot job's last line of output is shown as its progress. */
const ONE_SHOT_OUTPUT_MS = 1000;
const START_BUDGET_MS = 60_000;

/** A service and everything it depends on, in dependency order. */
export function withDependencies(plan: StackPlan, names: readonly string[]): DesiredService[] {
  const byName = new Map(plan.services.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string): void => {
    const service = byName.get(name);
    if (!service)
      throw new AppError('validation_failed', `services: unknown service "${name}"`, {
        field: 'services',
      });
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of service.dependsOn) add(dep.service);
  };
  names.forEach(add);
  return plan.services.filter((s) => wanted.has(s.name));
}

function readinessOf(service: DesiredService): Readiness {
  if (service.oneShot) return 'completed';
  return service.healthBudgetMs !== undefined ? 'healthy' : 'running';
}

function budgetOf(service: DesiredService): number {
  if (service.oneShot) return ONE_SHOT_BUDGET_MS;
  return (service.healthBudgetMs ?? 0) + START_BUDGET_MS / 4;
}

/** A container that already is what the plan wants, in its final state. */
function isSettled(service: DesiredService, container: ContainerSummary | undefined): boolean {
  if (!container || container.configHash !== service.configHash) return false;
  if (service.oneShot) return container.state === 'exited';
  if (container.state !== 'running') return false;
  return readinessOf(service) !== 'healthy' || container.health === 'healthy';
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  private progress(
    service: string,
    action: Extract<StackProgress, { type: 'stack.service-progressed' }>['action'],
    detail?: string,
  ): void {
    this.deps.onProgress({
      type: 'stack.service-progressed',
      service,
      action,
      ...(detail ? { detail } : {}),
    });
  }

  /** Explains a failed wait with what the user needs: the service, the cause, its last words. */
  private async explain(
    service: DesiredService,
    containerId: string,
    failure: ServiceFailure,
  ): Promise<AppError> {
    const { gateway, redact } = this.deps;
    const details = await gateway.inspectContainer(containerId).catch(() => undefined);
    const logs = await gateway.tailLogs(containerId, 8).catch(() => [] as string[]);
    const lastWords = logs.length > 0 ? ` Last output:\n  ${logs.map(redact).join('\n  ')}` : '';
    let message: string;
    switch (failure.reason) {
      case 'unhealthy':
      case 'timeout': {
        const seconds = Math.round(budgetOf(service) / 1000);
        const check = details?.lastHealthOutput
          ? ` Last health check: ${redact(details.lastHealthOutput)}.`
          : '';
        message =
          failure.reason === 'timeout' && readinessOf(service) !== 'healthy'
            ? `${service.name} did not finish within ${seconds} s.${lastWords}`
            : `${service.name} did not become healthy within its healthcheck budget (${seconds} s).${check}${lastWords}`;
        break;
      }
      case 'oom':
        message = `${service.name} ran out of memory (limit ${service.definition.deploy?.resources.limits?.memory ?? 'none'}).${lastWords}`;
        break;
      case 'exited':
        message = `${service.name} exited with code ${details?.exitCode ?? failure.exitCode ?? '?'} while starting.${lastWords}`;
        break;
    }
    this.progress(service.name, 'failed', message);
    return new AppError('conflict', message, { service: service.name, reason: failure.reason });
  }

  async up(plan: StackPlan, options: UpOptions): Promise<UpResult> {
    const { gateway } = this.deps;
    const gate: HealthGate = options.activeHealth ? 'probe' : (options.healthGate ?? 'confirmed');
    if (gate === 'probe' && !this.deps.healthProbe)
      throw new Error('activeHealth needs a health probe in the reconciler deps');
    const services = options.services ? withDependencies(plan, options.services) : plan.services;
    const existing = await gateway.listContainers(plan.project);
    await preflightStart(this.deps, services, existing, options.pullPolicy);
    await this.deps.checkImages?.(services);
    const helperImage =
      services.find((s) => s.name === 'postgres')?.definition.image ??
      services[0]?.definition.image;
    if (options.ownership.length > 0 && helperImage)
      await gateway.fixOwnership(options.ownership, helperImage);

    const result: UpResult = {
      created: [],
      recreated: [],
      started: [],
      unchanged: [],
      removed: [],
    };
    if (!options.services) {
      const wanted = new Set(plan.services.map((s) => s.name));
      const orphans = existing.filter((c) => !wanted.has(c.service));
      for (const orphan of orphans) {
        this.progress(orphan.service, 'stopping');
        await gateway.stopContainer(orphan.id, 30);
        await gateway.removeContainer(orphan.id);
        this.progress(orphan.service, 'removed');
        result.removed.push(orphan.service);
      }
    }
    const networks = await gateway.listNetworks(plan.project);
    for (const network of plan.networks) {
      if (networks.some((n) => n.name === network.engineName)) continue;
      await gateway.createNetwork(network);
      this.deps.onProgress({ type: 'stack.network-created', network: network.engineName });
    }

    const current = new Map(existing.map((c) => [c.service, c]));
    if (services.every((s) => isSettled(s, current.get(s.name)))) {
      for (const s of services) this.progress(s.name, 'unchanged');
      result.unchanged.push(...services.map((s) => s.name));
      return result;
    }

    // A one-shot job (the migrations) runs again whenever something that depends on it starts:
    // the database may have been restored, or the image behind it may have new migrations.
    const runAgain = new Set(
      services
        .filter((job) => job.oneShot)
        .filter((job) =>
          services.some(
            (s) =>
              s.dependsOn.some((d) => d.service === job.name) && !isSettled(s, current.get(s.name)),
          ),
        )
        .map((job) => job.name),
    );
    const watcher = new ContainerWatcher(gateway, plan.project);
    watcher.open();
    const started = new Map<string, Promise<void>>();
    // What dependents wait for (with the `confirmed` gate, our healthcheck's first pass is enough)
    const ready = new Map<string, Promise<void>>();
    // and what the start returns on: each service's final verdict.
    const settled = new Map<string, Promise<void>>();
    try {
      for (const service of services) {
        const begun = (async () => {
          await Promise.all(
            service.dependsOn.map(
              (dep) =>
                (dep.condition === 'service_started' ? started : ready).get(dep.service) ??
                Promise.resolve(),
            ),
          );
          return this.bring(service, current.get(service.name), result, runAgain.has(service.name));
        })();
        const hasStarted = begun.then(() => undefined);
        // Marked handled here; whoever depends on it still sees the failure.
        hasStarted.catch(() => undefined);
        started.set(service.name, hasStarted);
        let passed: () => void = () => undefined;
        const probePassed = new Promise<void>((resolve) => (passed = resolve));
        const verdict = begun.then((id) => this.awaitReady(service, id, watcher, gate, passed));
        const usable = Promise.race([probePassed, verdict]);
        // As above: a failure after the probe passed is reported through `verdict`.
        usable.catch(() => undefined);
        ready.set(service.name, usable);
        settled.set(service.name, verdict);
      }
      // Let every branch finish, then report the first failure in dependency order.
      const outcomes = await Promise.allSettled(
        services.map((s) => settled.get(s.name) ?? Promise.resolve()),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      // Raw engine errors pass through unchanged, so the service layer can tell a lost engine apart.
      if (failed) throw failed.reason instanceof Error ? failed.reason : toAppError(failed.reason);
      return result;
    } finally {
      await watcher.close();
    }
  }

  /** Makes one service's container match the plan; returns its id. */
  private async bring(
    service: DesiredService,
    container: ContainerSummary | undefined,
    result: UpResult,
    runAgain: boolean,
  ): Promise<string> {
    const { gateway } = this.deps;
    if (container && container.configHash === service.configHash) {
      const finished = service.oneShot && container.state === 'exited';
      if (container.state === 'running' || (finished && !runAgain)) {
        if (!finished || (await gateway.inspectContainer(container.id)).exitCode === 0) {
          this.progress(service.name, 'unchanged');
          result.unchanged.push(service.name);
          return container.id;
        }
      }
      if (service.oneShot) await this.deps.beforeRun?.(service);
      this.progress(service.name, 'starting');
      await gateway.startContainer(container.id);
      result.started.push(service.name);
      return container.id;
    }
    if (container) {
      this.progress(service.name, 'recreating');
      await gateway.stopContainer(container.id, service.graceSeconds);
      await gateway.removeContainer(container.id);
    } else {
      this.progress(service.name, 'creating');
    }
    if (service.oneShot) await this.deps.beforeRun?.(service);
    const id = await gateway.createContainer(
      service.labels[LABEL_IMAGE_COMMAND] === 'true'
        ? withImageCommand(service, await gateway.imageConfig(service.definition.image))
        : service,
    );
    await gateway.startContainer(id);
    (container ? result.recreated : result.created).push(service.name);
    return id;
  }

  /** The service's own healthcheck, run on demand in container `id`, when asked for and possible. */
  private activeProbe(service: DesiredService, id: string): ActiveProbe | undefined {
    const check = service.definition.healthcheck;
    const probe = this.deps.healthProbe;
    if (!probe || !check || !isRunnableTest(check.test)) return undefined;
    const { test } = check;
    const timeoutMs = durationMs(check.timeout);
    return (signal) => probe.check(id, test, timeoutMs, signal);
  }

  /**
   * Waits for the service's final verdict; with the `confirmed` gate, `passed` is called as soon as
   * its own healthcheck passes, for what depends on it to start.
   */
  private async awaitReady(
    service: DesiredService,
    id: string,
    watcher: ContainerWatcher,
    gate: HealthGate,
    passed: () => void,
  ): Promise<void> {
    this.progress(service.name, 'waiting');
    const probe = gate === 'docker' ? undefined : this.activeProbe(service, id);
    const onProbePass =
      gate === 'confirmed'
        ? () => {
            this.progress(service.name, 'waiting', PROBE_PASSED_DETAIL);
            passed();
          }
        : undefined;
    const output = service.oneShot ? this.followOutput(service, id) : undefined;
    try {
      await watcher.waitFor(
        service.name,
        id,
        readinessOf(service),
        budgetOf(service),
        probe,
        onProbePass,
      );
    } catch (error) {
      if (error instanceof ServiceFailure) throw await this.explain(service, id, error);
      throw error;
    } finally {
      output?.stop();
    }
    if (output) await output.last();
    this.progress(service.name, 'ready');
  }

  /** A one-shot job's latest line of output as its progress (e.g. which migration, how many left). */
  private followOutput(
    service: DesiredService,
    id: string,
  ): { stop(): void; last(): Promise<void> } {
    let shown: string | undefined;
    const show = async (): Promise<void> => {
      const line = (await this.deps.gateway.tailLogs(id, 1).catch(() => []))[0];
      if (line === undefined || line === shown) return;
      shown = line;
      this.progress(service.name, 'waiting', this.deps.redact(line));
    };
    const timer = setInterval(() => void show(), ONE_SHOT_OUTPUT_MS);
    return { stop: () => clearInterval(timer), last: show };
  }
}
