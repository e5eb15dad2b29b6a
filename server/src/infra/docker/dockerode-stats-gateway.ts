import Docker from 'dockerode';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { StatsGateway } from '../../core/health/resources-sampler.js';
import type { RawStats } from '../../core/health/resources-stats.js';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import { connectionOptions } from './endpoint.js';

const REQUEST_TIMEOUT_MS = 30_000;

/** The engine's stats streams (`GET /containers/{id}/stats?stream=true`), one JSON frame a line. */
export class DockerodeStatsGateway implements StatsGateway {
  /** No client-wide timeout, which would cut the long-lived streams: the list has its own. */
  private readonly docker: Docker;

  constructor(endpoint: string) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async runningContainers(project: string): Promise<Array<{ id: string; service: string }>> {
    const list = await this.docker.listContainers({
      filters: { label: [`${LABEL_PROJECT}=${project}`], status: ['running'] },
      abortSignal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return list
      .filter((c) => c.Labels['com.docker.compose.oneoff'] !== 'True')
      .map((c) => ({ id: c.Id, service: c.Labels[LABEL_SERVICE] ?? '' }))
      .filter((c) => c.service !== '');
  }

  async *stats(containerId: string, signal: AbortSignal): AsyncIterable<RawStats> {
    if (signal.aborted) return;
    const stream = (await this.docker
      .getContainer(containerId)
      .stats({ stream: true })) as unknown as Readable;
    // Aborted while the engine was still answering: an iterator over a closed reader never ends.
    if (signal.aborted) {
      stream.destroy();
      return;
    }
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    // Closing the reader ends the loop below; destroying the stream alone would leave it waiting.
    const stop = (): void => {
      lines.close();
      stream.destroy();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        yield JSON.parse(line) as RawStats;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
    }
  }
}
