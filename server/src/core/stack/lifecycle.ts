import type { ServiceStatus } from '../../contract/stack.js';
import { AppError } from '../app-error.js';
import type { DesiredService, StackPlan } from './plan.js';
import {
  Reconciler,
  withDependencies,
  type GateOptions,
  type ReconcilerDeps,
} from './reconciler.js';
import type { ContainerSummary } from './stack-gateway.js';

/** Levels of the dependency graph from the top (what nothing depends on) down: the order to stop in. */
function stopOrder(plan: StackPlan, services: DesiredService[]): DesiredService[][] {
  const selected = new Set(services.map((s) => s.name));
  const dependents = new Map<string, string[]>();
  for (const s of plan.services) {
    for (const d of s.dependsOn)
      dependents.set(d.service, [...(dependents.get(d.service) ?? []), s.name]);
  }
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const value =
      Math.max(-1, ...(dependents.get(name) ?? []).filter((d) => selected.has(d)).map(depthOf)) + 1;
    depth.set(name, value);
    return value;
  };
  const levels: DesiredService[][] = [];
  for (const service of services) (levels[depthOf(service.name)] ??= []).push(service);
  return levels.filter(Boolean);
}

/** Start, stop, restart and down, in dependency order and health-gated; status per service. */
export class StackLifecycle {
  private readonly reconciler: Reconciler;

  constructor(private readonly deps: ReconcilerDeps) {
    this.reconciler = new Reconciler(deps);
  }

  private select(plan: StackPlan, names: readonly string[] | undefined): DesiredService[] {
    if (!names || names.length === 0) return plan.services;
    const known = new Set(plan.services.map((s) => s.name));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new AppError(
        'validation_failed',
        `services: unknown service "${unknown.join('", "')}"; known: ${[...known].join(', ')}`,
        {
          field: 'services',
        },
      );
    }
    return plan.services.filter((s) => names.includes(s.name));
  }

  private async stopServices(
    plan: StackPlan,
    services: DesiredService[],
    containers: ContainerSummary[],
  ): Promise<string[]> {
    const stopped: string[] = [];
    for (const level of stopOrder(plan, services)) {
      await Promise.all(
        level.map(async (service) => {
          const container = containers.find((c) => c.service === service.name);
          if (!container) return;
          this.deps.onProgress({
            type: 'stack.service-progressed',
            service: service.name,
            action: 'stopping',
          });
          await this.deps.gateway.stopContainer(container.id, service.graceSeconds);
          this.deps.onProgress({
            type: 'stack.service-progressed',
            service: service.name,
            action: 'stopped',
          });
          stopped.push(service.name);
        }),
      );
    }
    return stopped;
  }

  async stop(plan: StackPlan, names?: readonly string[]): Promise<string[]> {
    const services = this.select(plan, names);
    return this.stopServices(plan, services, await this.deps.gateway.listContainers(plan.project));
  }

  /** Starts existing containers (and what they depend on), waiting for each to be ready. */
  async start(
    plan: StackPlan,
    names?: readonly string[],
    options: GateOptions = {},
  ): Promise<void> {
    const services =
      names && names.length > 0
        ? withDependencies(
            plan,
            this.select(plan, names).map((s) => s.name),
          )
        : plan.services;
    const containers = await this.deps.gateway.listContainers(plan.project);
    const missing = services.filter((s) => !containers.some((c) => c.service === s.name));
    if (missing.length > 0) {
      throw new AppError(
        'conflict',
        `No container for ${missing.map((s) => s.name).join(', ')}: run \`medianest-appliance up\` first.`,
      );
    }
    // With every container present, up only starts what is stopped and waits for health.
    const stale = services.filter(
      (s) => containers.find((c) => c.service === s.name)?.configHash !== s.configHash,
    );
    if (stale.length > 0) {
      throw new AppError(
        'conflict',
        `The configuration of ${stale.map((s) => s.name).join(', ')} changed since ${stale.length > 1 ? 'they were' : 'it was'} created: run \`medianest-appliance up\` to apply it.`,
      );
    }
    await this.reconciler.up(plan, {
      pullPolicy: 'never',
      ownership: [],
      services: services.map((s) => s.name),
      ...options,
    });
  }

  async restart(
    plan: StackPlan,
    names?: readonly string[],
    options: GateOptions = {},
  ): Promise<void> {
    await this.stop(plan, names);
    await this.start(plan, names, options);
  }

  /** Stops and removes the containers and networks; never data. */
  async down(plan: StackPlan): Promise<{ removed: string[] }> {
    const { gateway } = this.deps;
    const containers = await gateway.listContainers(plan.project);
    const known = new Set(plan.services.map((s) => s.name));
    // Containers of services no longer in the plan go first: nothing in the plan depends on them.
    for (const orphan of containers.filter((c) => !known.has(c.service))) {
      await gateway.stopContainer(orphan.id, 30);
    }
    await this.stopServices(plan, plan.services, containers);
    for (const container of containers) {
      await gateway.removeContainer(container.id);
      this.deps.onProgress({
        type: 'stack.service-progressed',
        service: container.service,
        action: 'removed',
      });
    }
    for (const network of await gateway.listNetworks(plan.project))
      await gateway.removeNetwork(network.id);
    return { removed: containers.map((c) => c.service) };
  }

  async status(plan: StackPlan, now: Date): Promise<ServiceStatus[]> {
    const { gateway } = this.deps;
    const containers = await gateway.listContainers(plan.project);
    return Promise.all(
      plan.services.map(async (service): Promise<ServiceStatus> => {
        const summary = containers.find((c) => c.service === service.name);
        if (!summary) {
          return {
            service: service.name,
            state: 'missing',
            health: 'none',
            uptimeSeconds: null,
            restarts: 0,
            exitCode: null,
            ports: [],
            image: service.definition.image,
          };
        }
        const details = await gateway.inspectContainer(summary.id);
        const running = details.state === 'running' && details.startedAt;
        // A finished job's last words (the migrations: "schema at <migration> (3 of 3 ...)").
        const said =
          service.oneShot && details.state === 'exited'
            ? (await gateway.tailLogs(summary.id, 1).catch(() => []))[0]
            : undefined;
        return {
          service: service.name,
          state: details.state,
          health: details.health,
          uptimeSeconds: running
            ? Math.max(0, Math.round((now.getTime() - Date.parse(details.startedAt ?? '')) / 1000))
            : null,
          restarts: details.restartCount,
          exitCode: details.state === 'exited' ? details.exitCode : null,
          ports: details.ports,
          image: details.image,
          ...(said ? { detail: this.deps.redact(said.replace(/^[a-z-]+: /, '')) } : {}),
        };
      }),
    );
  }
}
