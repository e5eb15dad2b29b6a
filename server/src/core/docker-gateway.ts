import { AppError } from './app-error.js';

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

/** A container's health as the engine reports it ('none': the image declares no health check). */
export type HealthState = 'starting' | 'healthy' | 'unhealthy' | 'none';

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

const CONNECTION_ERROR_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EACCES',
  'ETIMEDOUT',
]);

/**
 * The one message for an engine that cannot be reached (absent, stopped, or gone mid-way), or
 * undefined for any other error.
 */
export function engineUnavailable(error: unknown): AppError | undefined {
  if (!isEngineConnectionError(error)) return undefined;
  const reason = typeof error.code === 'string' ? error.code : 'connection lost';
  return new AppError(
    'engine_unavailable',
    `The Docker engine cannot be reached (${reason}). Start it, check \`medianest-appliance doctor\`, then run the command again.`,
  );
}

/** Whether an error means the engine could not be reached (or went away), as opposed to a refusal by it. */
export function isEngineConnectionError(error: unknown): error is Error & { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  return error instanceof Error && /socket hang up/i.test(error.message);
}
