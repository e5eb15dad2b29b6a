/**
 * The engine, as image sources use it: build and tag a target of a Dockerfile from a context
 * stream, load an image archive. The dockerode implementation lives in infra/docker.
 */

/**
 * `buildkit` understands what MediaNest's real Dockerfile uses (`RUN --mount=type=cache`); `classic`
 * is the legacy builder, for engines without BuildKit (Windows containers, some compatible engines).
 */
export type Builder = 'buildkit' | 'classic';

export interface BuildRequest {
  /** The build context: an uncompressed tar stream, read once. */
  context: AsyncIterable<Uint8Array>;
  /** The Dockerfile's path inside the context (posix). */
  dockerfile: string;
  target: string;
  /** `repository:tag` the image gets when the build succeeds. */
  reference: string;
  buildArgs: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  builder: Builder;
}

/** What a build reports while it runs, whichever builder runs it. */
export type BuildEvent =
  /**
   * A step started (or was taken from the cache). `current` counts steps started so far, `total`
   * the steps known so far: BuildKit learns the graph as it goes, so `total` can grow.
   */
  | { kind: 'step'; current: number; total: number; name: string; cached: boolean }
  /** One line a step printed (e.g. a RUN command's output). */
  | { kind: 'output'; line: string };

export interface LoadResult {
  /** Tags the archive carried, now present in the engine (e.g. `medianest/backend:1.0`). */
  references: string[];
  /** Ids of images the archive carried without a tag. */
  imageIds: string[];
}

/**
 * The engine refused or failed an image operation: `message` is the engine's (or the builder's)
 * own words, `output` the last lines the operation printed before it failed.
 */
export class ImageEngineError extends Error {
  constructor(
    message: string,
    readonly output: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageEngineError';
  }
}

export interface ImageGateway {
  /** The builders this engine offers, best first (never empty). */
  builders(): Promise<Builder[]>;
  /**
   * Builds one target and tags it. Resolves with the image id; rejects with an ImageEngineError
   * carrying the builder's message when a step fails or the Dockerfile is refused.
   */
  build(request: BuildRequest, onEvent: (event: BuildEvent) => void): Promise<{ imageId: string }>;
  /**
   * Streams an image archive (docker save format, plain or gzip) to the engine's load API. Rejects
   * with an ImageEngineError carrying the engine's message when it refuses the archive.
   */
  loadImages(
    archive: AsyncIterable<Uint8Array>,
    onOutput: (line: string) => void,
  ): Promise<LoadResult>;
}
