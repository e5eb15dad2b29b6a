import type { ImageConfig } from './image-command.js';
import type { DesiredNetwork, DesiredService } from './plan.js';
import type {
  ContainerDetails,
  ContainerSummary,
  OwnershipFix,
  StackEngineEvent,
  StackGateway,
} from './stack-gateway.js';

interface FakeContainer extends ContainerDetails {
  spec: DesiredService;
}

/** An in-memory engine for unit tests of the reconciler: containers, networks and an event stream. */
export class FakeEngine implements StackGateway {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, DesiredNetwork>();
  readonly images = new Set<string>();
  readonly calls: string[] = [];
  /** Services whose health check fails, with the output it reports. */
  readonly unhealthy = new Map<string, string>();
  ownershipFixes: OwnershipFix[] = [];
  /** How long after start the engine's own healthcheck reports (Docker: one interval). */
  healthDelayMs = 5;
  /** When set, the engine's own health verdicts come only from reportHealth(). */
  manualHealth = false;
  private listeners = new Set<(event: StackEngineEvent) => void>();
  private nextId = 1;

  private emit(event: StackEngineEvent): void {
    setTimeout(() => this.listeners.forEach((l) => l(event)), 1);
  }

  private summary(c: FakeContainer): ContainerSummary {
    return {
      id: c.id,
      name: c.name,
      service: c.service,
      configHash: c.configHash,
      image: c.image,
      state: c.state,
      health: c.health,
      ports: c.ports,
    };
  }

  async listContainers(): Promise<ContainerSummary[]> {
    return [...this.containers.values()].map((c) => this.summary(c));
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error('no such container'), { statusCode: 404 });
    return { ...c };
  }

  async imageExists(reference: string): Promise<boolean> {
    return this.images.has(reference);
  }

  async pullImage(reference: string): Promise<void> {
    this.calls.push(`pull ${reference}`);
    this.images.add(reference);
  }

  async listNetworks() {
    return [...this.networks.values()].map((n) => ({
      id: n.engineName,
      name: n.engineName,
      network: n.name,
    }));
  }

  async createNetwork(network: DesiredNetwork): Promise<void> {
    this.calls.push(`network ${network.engineName}`);
    this.networks.set(network.engineName, network);
  }

  async removeNetwork(id: string): Promise<void> {
    this.networks.delete(id);
  }

  async createContainer(service: DesiredService): Promise<string> {
    const id = `c${this.nextId++}`;
    this.calls.push(`create ${service.name}`);
    this.containers.set(id, {
      id,
      name: service.containerName,
      service: service.name,
      configHash: service.configHash,
      image: service.definition.image,
      state: 'created',
      health: 'none',
      ports: (service.definition.ports ?? []).map((p) => p.replace(/:(\d+)$/, '->$1/tcp')),
      exitCode: 0,
      oomKilled: false,
      startedAt: undefined,
      finishedAt: undefined,
      restartCount: 0,
      lastHealthOutput: undefined,
      spec: service,
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw new Error('no such container');
    this.calls.push(`start ${c.service}`);
    c.state = 'running';
    c.startedAt = new Date().toISOString();
    this.emit({ kind: 'start', service: c.service, containerId: id });
    if (c.spec.oneShot) {
      c.state = 'exited';
      this.emit({ kind: 'die', service: c.service, containerId: id, exitCode: 0 });
    } else if (c.spec.healthBudgetMs !== undefined) {
      c.health = 'starting';
      if (this.manualHealth) return;
      const failing = this.unhealthy.get(c.service);
      setTimeout(() => {
        c.health = failing === undefined ? 'healthy' : 'unhealthy';
        c.lastHealthOutput = failing;
        this.emit({ kind: 'health', service: c.service, containerId: id, health: c.health });
      }, this.healthDelayMs).unref();
    }
  }

  private byService(service: string): FakeContainer {
    const c = [...this.containers.values()].find((x) => x.service === service);
    if (!c) throw new Error(`no container for ${service}`);
    return c;
  }

  /** The engine's own healthcheck verdict on `service`, now (with manualHealth). */
  reportHealth(service: string, health: 'healthy' | 'unhealthy', output?: string): void {
    const c = this.byService(service);
    c.health = health;
    c.lastHealthOutput = output;
    this.emit({ kind: 'health', service, containerId: c.id, health });
  }

  /** `service`'s main process ends with `exitCode`, now. */
  exit(service: string, exitCode: number): void {
    const c = this.byService(service);
    c.state = 'exited';
    c.exitCode = exitCode;
    this.emit({ kind: 'die', service, containerId: c.id, exitCode });
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`stop ${c.service}`);
    c.state = 'exited';
    c.health = 'none';
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) this.calls.push(`remove ${c.service}`);
    this.containers.delete(id);
  }

  async tailLogs(): Promise<string[]> {
    return ['listening on 4000', 'JWT_SECRET=s3cr3t-value-0123456789'];
  }

  async *events(
    _project: string,
    signal: AbortSignal,
    onOpen?: () => void,
  ): AsyncIterable<StackEngineEvent> {
    const queue: StackEngineEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: StackEngineEvent): void => {
      queue.push(e);
      wake?.();
    };
    this.listeners.add(listener);
    onOpen?.();
    signal.addEventListener('abort', () => wake?.(), { once: true });
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  async fixOwnership(fixes: OwnershipFix[]): Promise<void> {
    this.ownershipFixes = fixes;
  }

  /** Image -> its working directory and folders (folder -> relative path -> bytes). */
  readonly imageFiles = new Map<
    string,
    { workingDir?: string; folders: Record<string, Record<string, string>> }
  >();
  /** Image -> its own configuration, where a test sets it (a command "serve" otherwise). */
  readonly imageConfigs = new Map<string, Partial<ImageConfig>>();

  async imageConfig(image: string): Promise<ImageConfig> {
    return {
      id: `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
      repoDigests: [],
      user: undefined,
      workingDir: this.imageFiles.get(image)?.workingDir,
      entrypoint: [],
      cmd: ['serve'],
      path: undefined,
      exposedPorts: [],
      ...this.imageConfigs.get(image),
    };
  }

  async imagePathsExist(image: string, paths: readonly string[]): Promise<Set<string>> {
    const folders = Object.keys(this.imageFiles.get(image)?.folders ?? {});
    return new Set(paths.filter((p) => folders.includes(p)));
  }

  async readImageFolder(
    image: string,
    folders: readonly string[],
  ): Promise<{ folder: string; files: Map<string, Uint8Array> } | undefined> {
    this.calls.push(`read ${image}`);
    const known = this.imageFiles.get(image)?.folders ?? {};
    const folder = folders.find((f) => known[f]);
    if (!folder) return undefined;
    const files = Object.entries(known[folder] ?? {}).map(([path, text]): [string, Uint8Array] => [
      path,
      new TextEncoder().encode(text),
    ]);
    return { folder, files: new Map(files) };
  }
}
