/**
 * The general exec port: commands inside the stack's running containers. Secrets rotation sets
 * PostgreSQL's role password and Grafana's admin user through it; backup and restore run pg_dump,
 * psql and redis-cli through it. infra/docker implements it.
 */
import type { HealthState } from './docker-gateway.js';

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
