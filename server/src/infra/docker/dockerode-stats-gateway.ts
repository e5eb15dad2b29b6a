import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { StatsGateway } from '../../core/health/resources-sampler.js';
import type { RawStats } from '../../core/health/resources-stats.js';
import { LABEL_SERVICE } from '../../core/stack/plan.js';
import { connectionOptions } from './endpoint.js';
import { listProjectContainers, REQUEST_TIMEOUT_MS } from './engine-clients.js';
import { engineLines } from './engine-lines.js';

/** The engine's stats streams (`GET /containers/{id}/stats?stream=true`), one JSON frame a line. */
export class DockerodeStatsGateway implements StatsGateway {
  /** No client-wide timeout, which would cut the long-lived streams: the list has its own. */
  private readonly docker: Docker;

  constructor(endpoint: string) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async runningContainers(project: string): Promise<Array<{ id: string; service: string }>> {
    const list = await listProjectContainers(this.docker, project, {
      runningOnly: true,
      abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return list
      .map((c) => ({ id: c.Id, service: c.Labels[LABEL_SERVICE] ?? '' }))
      .filter((c) => c.service !== '');
  }

  async *stats(containerId: string, signal: AbortSignal): AsyncIterable<RawStats> {
    const container = this.docker.getContainer(containerId);
    const open = async (abortSignal: AbortSignal): Promise<Readable> => {
      // dockerode honours `abortSignal` here; its types leave it out.
      const options: { stream: true; abortSignal: AbortSignal } = { stream: true, abortSignal };
      return (await container.stats(options)) as unknown as Readable;
    };
    for await (const line of engineLines(open, signal)) yield JSON.parse(line) as RawStats;
  }
}
