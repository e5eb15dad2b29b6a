import type { FileSystem } from '../file-system.js';
import type { UpResult } from '../stack/reconciler.js';
import type { HealthState } from '../stack/stack-gateway.js';
import type { RandomSource } from './generate.js';

/** What a command run inside a container left behind. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Commands inside the stack's running containers (`docker exec`), for the state a service keeps
 * of its own: PostgreSQL's role password, Grafana's admin user. infra/docker implements it.
 */
export interface ServiceExec {
  /** The project's services whose container is running, with their health. */
  runningServices(): Promise<Array<{ service: string; health: HealthState }>>;
  /**
   * Runs `command` (argv, no shell) in the running container of `service`, as the container's
   * own user. `stdin` is written and then closed: secrets travel that way, never in argv or env
   * of the exec (both of which the engine can show).
   */
  exec(
    service: string,
    command: readonly string[],
    options?: { stdin?: string; timeoutMs?: number },
  ): Promise<ExecResult>;
}

/** Reports a step (and how far along) to the job history and the event stream. */
export type RotationProgress = (step: string, percent?: number) => void;

export interface RotationDeps {
  fs: FileSystem;
  /** Created on first use, so listing the secrets needs no engine. */
  engine: () => ServiceExec;
  location: { stackDir: string; secretsDir: string; composeFile: string };
  /**
   * Re-renders the stack from the stored settings (initStack): derived secrets (database_url,
   * redis_url) are rebuilt from the canonical files and the per-service copies refreshed; every
   * other secret is kept.
   */
  render(): Promise<void>;
  /** The stack's `up`: recreates exactly the services whose configuration (or secret copy) changed. */
  up(): Promise<UpResult>;
  now(): Date;
  random?: RandomSource;
}
