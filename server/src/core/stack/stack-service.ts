import { join } from 'node:path';
import type { ServiceStatus, StackProgress } from '../../contract/stack.js';
import type { HostProbe } from '../doctor/host-probe.js';
import { engineUnavailable } from '../docker-gateway.js';
import type { FileSystem } from '../file-system.js';
import { StackLifecycle } from './lifecycle.js';
import type { DesiredService, StackPlan } from './plan.js';
import type { PullPolicy, StackConfig } from './config.js';
import { Reconciler, type GateOptions, type ReconcilerDeps, type UpResult } from './reconciler.js';
import { LABEL_MIGRATIONS_FROM, prepareMigrations } from './migrations.js';
import { checkImages, imageCheckRefusal, type ImageCheckReport } from './image-check.js';
import {
  chownLocally,
  loadPlan,
  ownershipFixes,
  renderedPlan,
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

  /** What the reconciler needs besides the deps: masking, and the migrations before each run. */
  private async reconcilerDeps(): Promise<ReconcilerDeps> {
    return {
      ...this.deps,
      redact: await this.redactor(),
      beforeRun: (service) => this.prepareJob(service),
      checkImages: async (services) => {
        const refusal = imageCheckRefusal(await checkImages(this.deps.gateway, { services }));
        if (refusal) throw refusal;
      },
    };
  }

  /**
   * `images check`: what the stack needs of each MediaNest image, and what it has. Of the stack
   * rendered in this home; or, given a `config`, of the stack it would render (rendered in memory,
   * nothing written: the images a user is choosing, before they are saved).
   */
  async checkImages(config?: StackConfig): Promise<ImageCheckReport> {
    const plan = config
      ? renderedPlan(config, this.location)
      : await loadPlan(this.deps.fs, this.location);
    return guard(checkImages(this.deps.gateway, plan));
  }

  /** The `migrate` job applies the migrations of the image its label names: read them first. */
  private async prepareJob(service: DesiredService): Promise<void> {
    const image = service.labels[LABEL_MIGRATIONS_FROM];
    if (!image) return;
    const dir = join(this.location.stackDir, 'migrations');
    const { folder, migrations } = await prepareMigrations(
      this.deps.gateway,
      this.deps.fs,
      image,
      dir,
    );
    this.deps.onProgress({
      type: 'stack.service-progressed',
      service: service.name,
      action: 'waiting',
      detail: `${migrations.length} migration${migrations.length === 1 ? '' : 's'} read from ${image} (${folder}), the latest ${migrations.at(-1)?.name ?? '?'}`,
    });
  }

  private async lifecycle(): Promise<StackLifecycle> {
    return new StackLifecycle(await this.reconcilerDeps());
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
    const reconciler = new Reconciler(await this.reconcilerDeps());
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
