import Docker from 'dockerode';
import {
  EngineUnavailableError,
  type DockerGateway,
  type EngineFailureReason,
  type EngineInfo,
  type EngineVersion,
} from '../../core/docker-gateway.js';
import { connectionOptions } from './endpoint.js';
import { messageOf } from '../../contract/errors.js';

/** Short requests only: streams (events, logs, stats) get their own client without a timeout. */
const REQUEST_TIMEOUT_MS = 5_000;

function reasonOf(error: unknown): EngineFailureReason {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'not-found';
    case 'EACCES':
    case 'EPERM':
      return 'permission-denied';
    case 'ECONNREFUSED':
    case 'ECONNRESET':
      return 'refused';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

export class DockerodeGateway implements DockerGateway {
  private readonly docker: Docker;

  constructor(readonly endpoint: string) {
    let options: Docker.DockerOptions;
    try {
      options = connectionOptions(endpoint);
    } catch (error) {
      throw new EngineUnavailableError(endpoint, 'bad-endpoint', messageOf(error));
    }
    this.docker = new Docker({ ...options, timeout: REQUEST_TIMEOUT_MS });
  }

  private async request<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      if (error instanceof EngineUnavailableError) throw error;
      const reason = reasonOf(error);
      const detail = messageOf(error);
      throw new EngineUnavailableError(this.endpoint, reason, detail, { cause: error });
    }
  }

  async ping(): Promise<void> {
    await this.request(() => this.docker.ping());
  }

  async version(): Promise<EngineVersion> {
    const v = await this.request(() => this.docker.version());
    return {
      version: v.Version,
      apiVersion: v.ApiVersion,
      os: v.Os,
      arch: v.Arch,
      kernelVersion: v.KernelVersion,
    };
  }

  async info(): Promise<EngineInfo> {
    const info = (await this.request(() => this.docker.info())) as Record<string, unknown>;
    const text = (key: string): string => (typeof info[key] === 'string' ? info[key] : '');
    const num = (key: string): number => (typeof info[key] === 'number' ? info[key] : 0);
    return {
      osType: text('OSType'),
      architecture: text('Architecture'),
      operatingSystem: text('OperatingSystem'),
      memoryBytes: num('MemTotal'),
      cpus: num('NCPU'),
      serverVersion: text('ServerVersion'),
      name: text('Name'),
    };
  }
}

export const createDockerGateway = (endpoint: string): DockerGateway =>
  new DockerodeGateway(endpoint);
