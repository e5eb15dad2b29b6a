import Docker from 'dockerode';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import { connectionOptions } from './endpoint.js';

export const REQUEST_TIMEOUT_MS = 30_000;

/** One engine through two clients: `docker` cuts a request after 30 s; `streams` never does. */
export interface EngineClients {
  readonly docker: Docker;
  /** For long-lived answers (event streams, log follows, pulls) that the timeout would cut. */
  readonly streams: Docker;
}

export function engineClients(endpoint: string): EngineClients {
  const options = connectionOptions(endpoint);
  return {
    docker: new Docker({ ...options, timeout: REQUEST_TIMEOUT_MS }),
    streams: new Docker(options),
  };
}

/** A gateway that reaches one engine through both clients. */
export abstract class EngineClientsGateway {
  protected readonly docker: Docker;
  /** Follows and event streams are long-lived: the request timeout would cut them. */
  protected readonly streams: Docker;

  constructor(endpoint: string) {
    ({ docker: this.docker, streams: this.streams } = engineClients(endpoint));
  }
}

/** A compose project's containers, without the one-off ones `docker compose run` leaves. */
export async function listProjectContainers(
  docker: Docker,
  project: string,
  options: { runningOnly?: boolean; abortSignal?: AbortSignal } = {},
): Promise<Docker.ContainerInfo[]> {
  const list = await docker.listContainers({
    all: !options.runningOnly,
    filters: {
      label: [`${LABEL_PROJECT}=${project}`],
      ...(options.runningOnly ? { status: ['running'] } : {}),
    },
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  return list.filter((c) => c.Labels['com.docker.compose.oneoff'] !== 'True');
}

/** A listed container's id, its name without the engine's leading slash, and its compose service. */
export const listedContainer = (c: Docker.ContainerInfo) => ({
  id: c.Id,
  name: (c.Names[0] ?? '').replace(/^\//, ''),
  service: c.Labels[LABEL_SERVICE] ?? '',
});
