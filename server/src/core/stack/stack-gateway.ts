import type { HealthState } from '../docker-gateway.js';
import type { TarReadLimits } from '../tar/tar.js';
import type { ImageConfig } from './image-command.js';
import type { DesiredNetwork, DesiredService } from './plan.js';

/** Container states as the engine reports them. */
export type ContainerState =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** One of our containers, as the engine's list shows it (one cheap call for the whole project). */
export interface ContainerSummary {
  id: string;
  name: string;
  service: string;
  configHash: string;
  image: string;
  state: ContainerState;
  health: HealthState;
  /** Host ports it publishes, e.g. "127.0.0.1:8080->80/tcp". */
  ports: string[];
}

export interface ContainerDetails extends ContainerSummary {
  exitCode: number;
  oomKilled: boolean;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  restartCount: number;
  /** Output of the last health-check run, trimmed. */
  lastHealthOutput: string | undefined;
}

/** What the reconciler needs to hear from the engine while it waits. */
export type StackEngineEvent =
  | { kind: 'start'; service: string; containerId: string }
  | { kind: 'die'; service: string; containerId: string; exitCode: number }
  | { kind: 'health'; service: string; containerId: string; health: 'healthy' | 'unhealthy' }
  | { kind: 'oom'; service: string; containerId: string }
  | { kind: 'destroy'; service: string; containerId: string };

export interface PullProgress {
  image: string;
  layer?: string;
  status: string;
  current?: number;
  total?: number;
}

export interface OwnershipFix {
  path: string;
  uid: number;
  gid: number;
  /** Applied recursively to a folder's contents too. */
  recursive: boolean;
}

/**
 * The engine, as the stack reconciler uses it. The dockerode implementation lives in infra/docker;
 * a swarm implementation would be a second applier behind the same plan.
 */
export interface StackGateway {
  listContainers(project: string): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerDetails>;
  imageExists(reference: string): Promise<boolean>;
  pullImage(reference: string, onProgress: (progress: PullProgress) => void): Promise<void>;
  listNetworks(project: string): Promise<Array<{ id: string; name: string; network: string }>>;
  createNetwork(network: DesiredNetwork): Promise<void>;
  removeNetwork(id: string): Promise<void>;
  createContainer(service: DesiredService): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stops with the given grace period; a container already stopped is a success. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** The last lines of a container's output, for explaining a failure. */
  tailLogs(id: string, lines: number): Promise<string[]>;
  /**
   * Engine events for the project's containers until the signal aborts; health-check exec noise
   * removed. `onOpen` runs once the engine is streaming, so a resync after it misses nothing.
   */
  events(
    project: string,
    signal: AbortSignal,
    onOpen?: () => void,
  ): AsyncIterable<StackEngineEvent>;
  /** The image's own configuration: user, working directory, entrypoint, command, PATH. */
  imageConfig(image: string): Promise<ImageConfig>;
  /** Which of `paths` exist in the image (files or folders), read without running it. */
  imagePathsExist(image: string, paths: readonly string[]): Promise<Set<string>>;
  /**
   * The regular files under the first of `folders` that exists in the image, by path relative to
   * it, read without running the image; undefined when none exists.
   */
  readImageFolder(
    image: string,
    folders: readonly string[],
    limits: TarReadLimits,
  ): Promise<{ folder: string; files: Map<string, Uint8Array> } | undefined>;
  /** Gives folders and files the owners the containers run as, through the engine (root) itself. */
  fixOwnership(fixes: OwnershipFix[], helperImage: string): Promise<void>;
}
