import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type {
  EngineLogLine,
  LogContainerEvent,
  LogGateway,
  LogReadOptions,
  LogSource,
  LogWatch,
} from '../../core/logs/log-gateway.js';
import { toEngineTimestamp } from '../../core/logs/time.js';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import { EngineClientsGateway, listedContainer, listProjectContainers } from './engine-clients.js';
import { openEngineStream, streamLines } from './engine-lines.js';
import { LogDecoder } from './log-decoder.js';

/** The part of docker-modem's client that `scan` uses (dockerode types it as `any`). */
interface DialModem {
  dial(
    options: {
      path: string;
      method: string;
      options: object;
      isStream: boolean;
      statusCodes: Record<number, boolean | string>;
    },
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

const isNotFound = (error: unknown): boolean =>
  (error as { statusCode?: number }).statusCode === 404;

function engineOptions(options: LogReadOptions): Docker.ContainerLogsOptions {
  return {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: toEngineTimestamp(options.since) } : {}),
    ...(options.until !== undefined ? { until: toEngineTimestamp(options.until) } : {}),
  };
}

/** A log stream as the engine sends it, as batches of lines; a last line without its newline last. */
async function* batchesOfLines(stream: Readable): AsyncIterable<EngineLogLine[]> {
  const decoder = new LogDecoder();
  for await (const chunk of stream) {
    const lines = decoder.push(chunk as Buffer);
    if (lines.length > 0) yield lines;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** The engine's logs through dockerode: finished reads, follows (no request timeout), events. */
export class DockerodeLogGateway extends EngineClientsGateway implements LogGateway {
  async listSources(project: string): Promise<LogSource[]> {
    return (await listProjectContainers(this.docker, project)).map((c) => ({
      ...listedContainer(c),
      running: c.State === 'running',
      // Unknown from a list; the decoder tells frames from raw text by the first byte.
      tty: false,
    }));
  }

  async inspect(containerId: string): Promise<LogSource | undefined> {
    try {
      const info = await this.docker.getContainer(containerId).inspect();
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        service: info.Config.Labels[LABEL_SERVICE] ?? '',
        running: info.State.Running,
        tty: info.Config.Tty,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(source: LogSource, options: LogReadOptions): Promise<EngineLogLine[]> {
    let buffer: Buffer;
    try {
      // A long log can take longer than the request timeout to send.
      buffer = await this.streams
        .getContainer(source.id)
        .logs({ ...engineOptions(options), follow: false });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const decoder = new LogDecoder();
    return [...decoder.push(buffer), ...decoder.end()];
  }

  async *scan(source: LogSource, options: LogReadOptions): AsyncIterable<EngineLogLine[]> {
    // dockerode buffers a whole non-follow log; its modem streams the same request as it comes.
    const container = this.streams.getContainer(source.id);
    const modem = container.modem as DialModem;
    let stream: Readable;
    try {
      stream = await new Promise<Readable>((resolve, reject) =>
        modem.dial(
          {
            path: `/containers/${source.id}/logs?`,
            method: 'GET',
            options: { ...engineOptions(options), follow: false },
            isStream: true,
            statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
          },
          (error, result) => (error ? reject(error) : resolve(result as Readable)),
        ),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    try {
      yield* batchesOfLines(stream);
    } finally {
      stream.destroy();
    }
  }

  async *follow(
    source: LogSource,
    options: LogReadOptions,
    signal: AbortSignal,
  ): AsyncIterable<EngineLogLine[]> {
    const container = this.streams.getContainer(source.id);
    let stream: Readable | undefined;
    try {
      stream = await openEngineStream(
        async (abortSignal) =>
          (await container.logs({
            ...engineOptions(options),
            follow: true,
            abortSignal,
          })) as Readable,
        signal,
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    if (!stream) return;
    const stop = (): void => void stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      yield* batchesOfLines(stream);
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', stop);
      stream.destroy();
    }
  }

  async watch(
    project: string,
    onEvent: (event: LogContainerEvent) => void,
    signal: AbortSignal,
  ): Promise<LogWatch> {
    const open = async (abortSignal: AbortSignal): Promise<Readable> => {
      // dockerode honours `abortSignal` here; its types leave it out.
      const request: Docker.GetEventsOptions & { abortSignal: AbortSignal } = {
        filters: {
          type: ['container'],
          event: ['start', 'die', 'destroy'],
          label: [`${LABEL_PROJECT}=${project}`],
        },
        abortSignal,
      };
      return (await this.streams.getEvents(request)) as Readable;
    };
    const stream = await openEngineStream(open, signal);
    if (!stream) return { done: Promise.resolve() };
    const done = (async () => {
      for await (const line of streamLines(stream, signal)) {
        const event = parseEvent(line);
        if (event) onEvent(event);
      }
    })();
    return { done };
  }
}

function parseEvent(line: string): LogContainerEvent | undefined {
  let raw: { Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return undefined;
  }
  const attributes = raw.Actor?.Attributes ?? {};
  const service = attributes[LABEL_SERVICE];
  const kind = raw.Action;
  if (!service || !raw.Actor?.ID) return undefined;
  if (attributes['com.docker.compose.oneoff'] === 'True') return undefined;
  if (kind !== 'start' && kind !== 'die' && kind !== 'destroy') return undefined;
  return { kind, containerId: raw.Actor.ID, service, name: attributes.name ?? '' };
}
