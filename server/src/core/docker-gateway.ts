/**
 * The port through which core/ reaches a Docker engine. Only infra/docker implements it;
 * unit tests inject fakes here.
 */
export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion?: string;
}

export interface EngineInfo {
  osType: string;
  architecture: string;
  operatingSystem: string;
  memoryBytes: number;
  cpus: number;
  serverVersion: string;
  name: string;
}

export interface DockerGateway {
  readonly endpoint: string;
  /** Resolves when the engine answers `_ping`; rejects with an EngineUnavailableError otherwise. */
  ping(): Promise<void>;
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;
}

export type DockerGatewayFactory = (endpoint: string) => DockerGateway;

/** Why an engine could not be reached, in terms a fix can be chosen from. */
export type EngineFailureReason =
  'not-found' | 'permission-denied' | 'refused' | 'timeout' | 'bad-endpoint' | 'other';

export class EngineUnavailableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: EngineFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}
