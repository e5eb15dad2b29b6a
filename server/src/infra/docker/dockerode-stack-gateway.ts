import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { ImageConfig } from '../../core/stack/image-command.js';
import type { DesiredNetwork, DesiredService } from '../../core/stack/plan.js';
import { LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import type { HealthState } from '../../core/docker-gateway.js';
import type {
  ContainerDetails,
  ContainerState,
  ContainerSummary,
  OwnershipFix,
  PullProgress,
  StackEngineEvent,
  StackGateway,
} from '../../core/stack/stack-gateway.js';
import { readTarFiles, type TarReadLimits } from '../../core/tar/tar.js';
import { containerCreateOptions } from './container-spec.js';
import { EngineClientsGateway, listedContainer, listProjectContainers } from './engine-clients.js';
import { engineLines } from './engine-lines.js';
import { helperLabels, removeAbandonedHelpers } from './helper-containers.js';
import { demuxFrames } from './frames.js';

function healthFromStatus(status: string): HealthState {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

const isNotModified = (error: unknown): boolean =>
  (error as { statusCode?: number }).statusCode === 304;
const isNotFound = (error: unknown): boolean =>
  (error as { statusCode?: number }).statusCode === 404;

export class DockerodeStackGateway extends EngineClientsGateway implements StackGateway {
  async listContainers(project: string): Promise<ContainerSummary[]> {
    return (await listProjectContainers(this.docker, project)).map((c) => ({
      ...listedContainer(c),
      configHash: c.Labels[LABEL_CONFIG_HASH] ?? '',
      image: c.Image,
      state: c.State as ContainerState,
      health: healthFromStatus(c.Status),
      ports: c.Ports.filter((p) => p.PublicPort).map(
        (p) => `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`,
      ),
    }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const info = await this.docker.getContainer(id).inspect();
    const health = info.State.Health;
    const lastLog = health?.Log?.at(-1);
    const ports = Object.entries(info.NetworkSettings.Ports ?? {}).flatMap(([key, binds]) =>
      (binds ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${key}`),
    );
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      service: info.Config.Labels[LABEL_SERVICE] ?? '',
      configHash: info.Config.Labels[LABEL_CONFIG_HASH] ?? '',
      image: info.Config.Image,
      state: info.State.Status as ContainerState,
      health: (health?.Status as HealthState | undefined) ?? 'none',
      ports,
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      startedAt: info.State.StartedAt,
      finishedAt: info.State.FinishedAt,
      restartCount: info.RestartCount,
      lastHealthOutput: lastLog?.Output?.trim().slice(-500),
    };
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async pullImage(reference: string, onProgress: (progress: PullProgress) => void): Promise<void> {
    const stream = await this.streams.pull(reference);
    await new Promise<void>((resolve, reject) => {
      this.streams.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: {
          id?: string;
          status?: string;
          progressDetail?: { current?: number; total?: number };
        }) =>
          onProgress({
            image: reference,
            ...(event.id ? { layer: event.id } : {}),
            status: event.status ?? '',
            ...(event.progressDetail?.current !== undefined
              ? { current: event.progressDetail.current }
              : {}),
            ...(event.progressDetail?.total !== undefined
              ? { total: event.progressDetail.total }
              : {}),
          }),
      );
    });
  }

  async listNetworks(
    project: string,
  ): Promise<Array<{ id: string; name: string; network: string }>> {
    const list = await this.docker.listNetworks({
      filters: { label: [`${LABEL_PROJECT}=${project}`] },
    });
    return list.map((n) => ({
      id: n.Id,
      name: n.Name,
      network: n.Labels?.['com.docker.compose.network'] ?? '',
    }));
  }

  async createNetwork(network: DesiredNetwork): Promise<void> {
    await this.docker.createNetwork({
      Name: network.engineName,
      Driver: 'bridge',
      Internal: network.internal,
      CheckDuplicate: true,
      Labels: network.labels,
    });
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async createContainer(service: DesiredService): Promise<string> {
    const container = await this.docker.createContainer(containerCreateOptions(service));
    for (const extra of service.networks.slice(1)) {
      await this.docker
        .getNetwork(extra.engineName)
        .connect({ Container: container.id, EndpointConfig: { Aliases: extra.aliases } });
    }
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: graceSeconds });
    } catch (error) {
      if (!isNotModified(error) && !isNotFound(error)) throw error;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: false });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async tailLogs(id: string, lines: number): Promise<string[]> {
    const buffer = await this.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false });
    return demuxFrames(buffer)
      .map((f) => f.text)
      .join('')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(-lines);
  }

  async imageConfig(image: string): Promise<ImageConfig> {
    const {
      Id: id,
      RepoDigests: repoDigests,
      Config: config,
    } = (await this.docker.getImage(image).inspect()) as {
      Id: string;
      RepoDigests?: string[] | null;
      Config?: {
        User?: string;
        WorkingDir?: string;
        Entrypoint?: string[] | string | null;
        Cmd?: string[] | string | null;
        Env?: string[] | null;
        ExposedPorts?: Record<string, unknown> | null;
      };
    };
    const list = (value: string[] | string | null | undefined): string[] =>
      Array.isArray(value) ? value : value ? ['/bin/sh', '-c', value] : [];
    return {
      id,
      repoDigests: repoDigests ?? [],
      user: config?.User || undefined,
      workingDir: config?.WorkingDir || undefined,
      entrypoint: list(config?.Entrypoint),
      cmd: list(config?.Cmd),
      path: config?.Env?.find((e) => e.startsWith('PATH='))?.slice(5),
      exposedPorts: Object.keys(config?.ExposedPorts ?? {}),
    };
  }

  /**
   * Runs `read` with a container of `image` that is created, never started: the image's files are
   * read through the engine's archive endpoint. Removed afterwards; readers a killed process left
   * behind are removed first (helper-containers.ts).
   */
  private async withImageReader<T>(
    image: string,
    read: (container: Docker.Container) => Promise<T>,
  ): Promise<T> {
    await removeAbandonedHelpers(this.docker, 'image-reader');
    const container = await this.docker.createContainer({
      Image: image,
      Entrypoint: ['/nonexistent'],
      Cmd: [],
      Labels: helperLabels('image-reader'),
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      return await read(container);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  async imagePathsExist(image: string, paths: readonly string[]): Promise<Set<string>> {
    return this.withImageReader(image, async (container) => {
      const found = new Set<string>();
      for (const path of paths) {
        try {
          await container.infoArchive({ path });
          found.add(path);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return found;
    });
  }

  async readImageFolder(
    image: string,
    folders: readonly string[],
    limits: TarReadLimits,
  ): Promise<{ folder: string; files: Map<string, Uint8Array> } | undefined> {
    return this.withImageReader(image, async (container) => {
      for (const folder of folders) {
        let stream: NodeJS.ReadableStream;
        try {
          stream = await container.getArchive({ path: folder });
        } catch (error) {
          if (isNotFound(error)) continue;
          throw error;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.length;
          // Headers and padding on top of the files' own bytes.
          if (size > limits.maxBytes * 2 + 1024 * 1024)
            throw new Error(`${folder} in ${image} is larger than ${limits.maxBytes} bytes`);
          chunks.push(chunk);
        }
        const files = new Map<string, Uint8Array>();
        // The archive's entries start with the folder's own name.
        for (const [path, data] of readTarFiles(Buffer.concat(chunks), limits)) {
          // (A single file's archive holds just its name.)
          const slash = path.indexOf('/');
          files.set(slash > 0 ? path.slice(slash + 1) : path, data);
        }
        return { folder, files };
      }
      return undefined;
    });
  }

  async *events(
    project: string,
    signal: AbortSignal,
    onOpen?: () => void,
  ): AsyncIterable<StackEngineEvent> {
    const open = async (abortSignal: AbortSignal): Promise<Readable> => {
      // dockerode honours `abortSignal` here; its types leave it out.
      const options: Docker.GetEventsOptions & { abortSignal: AbortSignal } = {
        filters: { type: ['container'], label: [`${LABEL_PROJECT}=${project}`] },
        abortSignal,
      };
      return (await this.streams.getEvents(options)) as Readable;
    };
    for await (const line of engineLines(open, signal, onOpen)) {
      const event = parseEvent(line);
      if (event) yield event;
    }
  }

  async fixOwnership(fixes: OwnershipFix[], helperImage: string): Promise<void> {
    if (fixes.length === 0) return;
    const mounts = fixes.map((f, i) => ({
      Type: 'bind' as const,
      Source: f.path,
      Target: `/fix/${i}`,
      ReadOnly: false,
    }));
    // Paths inside the helper are our own mount targets and the ids numbers: nothing user-given reaches the shell.
    const script = fixes
      .map((f, i) => `chown ${f.recursive ? '-R ' : ''}${Number(f.uid)}:${Number(f.gid)} /fix/${i}`)
      .join(' && ');
    await removeAbandonedHelpers(this.docker, 'ownership-helper');
    const container = await this.docker.createContainer({
      Image: helperImage,
      User: '0:0',
      Entrypoint: ['/bin/sh', '-c', script],
      Cmd: [],
      Labels: helperLabels('ownership-helper'),
      HostConfig: {
        Mounts: mounts,
        NetworkMode: 'none',
        CapDrop: ['ALL'],
        CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'],
        SecurityOpt: ['no-new-privileges:true'],
      },
    });
    try {
      await container.start();
      const result = (await container.wait()) as { StatusCode: number };
      if (result.StatusCode !== 0) {
        const logs = await this.tailLogs(container.id, 5);
        throw new Error(`could not set owners (exit ${result.StatusCode}): ${logs.join(' / ')}`);
      }
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }
}

function parseEvent(line: string): StackEngineEvent | undefined {
  let raw: {
    Action?: string;
    id?: string;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
  };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return undefined;
  }
  const action = raw.Action ?? '';
  const attributes = raw.Actor?.Attributes ?? {};
  const service = attributes[LABEL_SERVICE];
  const containerId = raw.Actor?.ID ?? raw.id ?? '';
  // Every health-check run emits exec_create/exec_start/exec_die: noise here.
  if (!service || action.startsWith('exec_')) return undefined;
  if (action === 'start') return { kind: 'start', service, containerId };
  if (action === 'die')
    return { kind: 'die', service, containerId, exitCode: Number(attributes.exitCode ?? -1) };
  if (action === 'oom') return { kind: 'oom', service, containerId };
  if (action === 'destroy') return { kind: 'destroy', service, containerId };
  if (action === 'health_status: healthy')
    return { kind: 'health', service, containerId, health: 'healthy' };
  if (action === 'health_status: unhealthy')
    return { kind: 'health', service, containerId, health: 'unhealthy' };
  return undefined;
}
