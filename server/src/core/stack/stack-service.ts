import type { ServiceStatus, StackProgress } from '../../contract/stack.js';
import type { HostProbe } from '../doctor/host-probe.js';
import { engineUnavailable } from '../docker-gateway.js';
import type { FileSystem } from '../file-system.js';
import { StackLifecycle } from './lifecycle.js';
import type { StackPlan } from './plan.js';
import type { PullPolicy } from './config.js';
import { Reconciler, type GateOptions, type UpResult } from './reconciler.js';
import {
  chownLocally,
  loadPlan,
  ownershipFixes,
  secretValues,
  type StackLocation,
} from './stack-files.js';
import type { HealthProbe } from './health-probe.js';
import type { StackGateway } from './stack-gateway.js';

export interface StackServiceDeps {
  fs: FileSystem;
  gateway: StackGateway;
  probe: Pick<HostProbe, 'probePort'>;
  onProgress: (event: StackProgress) => void;
  now: () => Date;
  /** Runs healthchecks on demand: without it, every start waits on Docker's own verdict only. */
  healthProbe?: HealthProbe;
}

export interface UpRequest extends GateOptions {
  pullPolicy: PullPolicy;
  services?: string[];
}

/** Engine connection failures become one clear error; everything else passes through. */
async function guard<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw engineUnavailable(error) ?? error;
  }
}

/** The stack in one appliance home: up, down, start, stop, restart and status. */
export class StackService {
  constructor(
    private readonly deps: StackServiceDeps,
    private readonly location: StackLocation,
  ) {}

  private async redactor(): Promise<(text: string) => string> {
    const values = await secretValues(this.deps.fs, this.location.secretsDir);
    return (text) => values.reduce((out, value) => out.split(value).join('[redacted]'), text);
  }

  private async lifecycle(): Promise<StackLifecycle> {
    return new StackLifecycle({ ...this.deps, redact: await this.redactor() });
  }

  up(options: UpRequest): Promise<UpResult> {
    return guard(this.doUp(options));
  }

  private async doUp(options: UpRequest): Promise<UpResult> {
    const plan = await loadPlan(this.deps.fs, this.location);
    let fixes = await ownershipFixes(this.deps.fs, plan);
    if (fixes.length > 0 && this.deps.fs.uid() === 0) {
      await chownLocally(this.deps.fs, fixes);
      fixes = [];
    }
    const reconciler = new Reconciler({ ...this.deps, redact: await this.redactor() });
    return reconciler.up(plan, {
      pullPolicy: options.pullPolicy,
      ownership: fixes,
      ...(options.services ? { services: options.services } : {}),
      ...(options.activeHealth ? { activeHealth: true } : {}),
      ...(options.healthGate ? { healthGate: options.healthGate } : {}),
    });
  }

  private async run<T>(
    action: (lifecycle: StackLifecycle, plan: StackPlan) => Promise<T>,
  ): Promise<T> {
    const plan = await loadPlan(this.deps.fs, this.location);
    return guard(this.lifecycle().then((lifecycle) => action(lifecycle, plan)));
  }

  down(): Promise<{ removed: string[] }> {
    return this.run((l, plan) => l.down(plan));
  }

  start(services?: string[], options?: GateOptions): Promise<void> {
    return this.run((l, plan) => l.start(plan, services, options));
  }

  stop(services?: string[]): Promise<string[]> {
    return this.run((l, plan) => l.stop(plan, services));
  }

  restart(services?: string[], options?: GateOptions): Promise<void> {
    return this.run((l, plan) => l.restart(plan, services, options));
  }

  status(): Promise<ServiceStatus[]> {
    return this.run((l, plan) => l.status(plan, this.deps.now()));
  }
}
