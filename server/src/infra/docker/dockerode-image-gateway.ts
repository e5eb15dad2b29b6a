import Docker from 'dockerode';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { AppError } from '../../core/app-error.js';
import {
  ImageEngineError,
  type Builder,
  type BuildEvent,
  type BuildRequest,
  type ImageGateway,
  type LoadResult,
} from '../../core/images/image-gateway.js';
import { BuildOutputParser } from './build-output.js';
import { connectionOptions } from './endpoint.js';

/** BuildKit through the build API (`version=2`) needs API 1.39 and a Linux engine. */
const BUILDKIT_MIN_API = [1, 39] as const;

const CONNECTION_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EPIPE']);

type DialOptions = Parameters<Docker['modem']['dial']>[0];
type DialError = Error & { statusCode?: number; json?: { message?: string }; code?: string };

/** The engine's own message out of dockerode's "(HTTP code 500) server error - <message>". */
function engineMessage(error: DialError): string {
  return error.json?.message ?? error.message.replace(/^\(HTTP code \d+\) [^-]+- /, '').trim();
}

function apiAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** Build and load through the Engine API; long transfers on a client without a request timeout. */
export class DockerodeImageGateway implements ImageGateway {
  private readonly docker: Docker;
  private offered: Builder[] | undefined;

  constructor(private readonly endpoint: string) {
    // Builds and loads run for minutes with no bytes flowing back at times: no client timeout.
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async builders(): Promise<Builder[]> {
    if (!this.offered) {
      const version = await this.request(() => this.docker.version());
      this.offered =
        version.Os === 'linux' && apiAtLeast(version.ApiVersion, BUILDKIT_MIN_API)
          ? ['buildkit', 'classic']
          : ['classic'];
    }
    return this.offered;
  }

  async build(
    request: BuildRequest,
    onEvent: (event: BuildEvent) => void,
  ): Promise<{ imageId: string }> {
    const context = Readable.from(request.context, { objectMode: false });
    let contextError: Error | undefined;
    context.on('error', (error: Error) => {
      contextError = error;
    });
    const parser = new BuildOutputParser(onEvent);
    // dockerode's buildImage opens a BuildKit session over gRPC for version 2; an uploaded
    // context needs none, so the request goes to the API directly.
    const response = await this.dial(
      {
        path: '/build?',
        method: 'POST',
        file: context,
        headers: { 'Content-Type': 'application/x-tar' },
        options: {
          dockerfile: request.dockerfile,
          target: request.target,
          t: request.reference,
          buildargs: request.buildArgs,
          labels: request.labels,
          version: request.builder === 'buildkit' ? '2' : '1',
          rm: true,
          forcerm: true,
        },
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      () => contextError,
    );
    try {
      for await (const line of createInterface({ input: response, crlfDelay: Infinity })) {
        parser.line(line);
      }
    } catch (error) {
      throw contextError ?? this.failure(error as DialError, 'build');
    }
    parser.end();
    if (contextError) throw contextError;
    if (parser.error !== undefined) throw new ImageEngineError(parser.error, parser.lastOutput());
    if (!parser.imageId) {
      throw new ImageEngineError(
        'the engine ended the build without naming an image',
        parser.lastOutput(),
      );
    }
    return { imageId: parser.imageId };
  }

  async loadImages(
    archive: AsyncIterable<Uint8Array>,
    onOutput: (line: string) => void,
  ): Promise<LoadResult> {
    const body = Readable.from(archive, { objectMode: false });
    let bodyError: Error | undefined;
    body.on('error', (error: Error) => {
      bodyError = error;
    });
    const response = await this.dial(
      {
        path: '/images/load?',
        method: 'POST',
        file: body,
        headers: { 'Content-Type': 'application/x-tar' },
        options: { quiet: false },
        isStream: true,
        statusCodes: { 200: true, 500: 'server error' },
      },
      () => bodyError,
    );
    const result: LoadResult = { references: [], imageIds: [] };
    let failure: string | undefined;
    try {
      for await (const raw of createInterface({ input: response, crlfDelay: Infinity })) {
        if (!raw.trim()) continue;
        let message: { stream?: string; error?: string; errorDetail?: { message?: string } };
        try {
          message = JSON.parse(raw) as typeof message;
        } catch {
          continue;
        }
        if (message.error !== undefined || message.errorDetail?.message !== undefined) {
          failure = message.errorDetail?.message ?? message.error;
          continue;
        }
        const line = message.stream?.trim();
        if (!line) continue;
        onOutput(line);
        const tagged = /^Loaded image: (\S+)$/.exec(line);
        const untagged = /^Loaded image ID: (\S+)$/.exec(line);
        if (tagged?.[1]) result.references.push(tagged[1]);
        else if (untagged?.[1]) result.imageIds.push(untagged[1]);
      }
    } catch (error) {
      throw bodyError ?? this.failure(error as DialError, 'load');
    }
    if (bodyError) throw bodyError;
    if (failure !== undefined) throw new ImageEngineError(failure);
    return result;
  }

  /** One streaming request; a failure of our own body (reading the disk) wins over the socket's. */
  private async dial(
    options: DialOptions,
    bodyError: () => Error | undefined,
  ): Promise<NodeJS.ReadableStream> {
    try {
      return await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
        this.docker.modem.dial(options, (error: DialError | null, stream: unknown) =>
          error ? reject(error) : resolve(stream as NodeJS.ReadableStream),
        );
      });
    } catch (error) {
      throw bodyError() ?? this.failure(error as DialError, options.path);
    }
  }

  private failure(error: DialError, what: string): Error {
    if (error.code && CONNECTION_CODES.has(error.code) && error.statusCode === undefined) {
      return new AppError(
        'engine_unavailable',
        `The Docker engine at ${this.endpoint} did not answer (${error.code}) during the ${what.replace(/[/?]/g, '')}.`,
        undefined,
        { cause: error },
      );
    }
    // The engine refused the request itself (e.g. a Dockerfile it cannot parse): its words.
    if (error.statusCode !== undefined)
      return new ImageEngineError(engineMessage(error), [], { cause: error });
    return error;
  }

  private async request<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (error) {
      throw this.failure(error as DialError, 'version check');
    }
  }
}
