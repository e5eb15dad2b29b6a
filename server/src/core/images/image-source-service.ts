import { buildImages, type BuildResult } from './build-images.js';
import { checkSource, type BuildOptions } from './build-source.js';
import type { ImageGateway } from './image-gateway.js';
import type { ImageProgressListener } from './image-progress.js';
import { checkArchive, loadImages, type LoadImagesResult } from './load-images.js';
import type { SourceTree } from './source-tree.js';

/** 2 GiB: a MediaNest checkout without node_modules is a few MB; more means a .dockerignore is missing. */
export const DEFAULT_MAX_CONTEXT_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Where the stack's images come from besides a registry pull (which the reconciler does): a
 * local build from a MediaNest source folder, or an image archive for an offline install. Both
 * report progress as they go and return references the settings' `images` can take.
 */
export class ImageSourceService {
  constructor(
    private readonly deps: {
      gateway: ImageGateway;
      tree: SourceTree;
      /** Default DEFAULT_MAX_CONTEXT_BYTES. */
      maxContextBytes?: number;
    },
  ) {}

  /** Refuses, per field, what `build` would refuse before it starts (for an answer before a job). */
  async checkBuild(options: BuildOptions): Promise<void> {
    await checkSource(this.buildDeps(), options);
  }

  build(options: BuildOptions, onProgress: ImageProgressListener): Promise<BuildResult> {
    return buildImages(this.buildDeps(), options, onProgress);
  }

  /** Refuses a path that is not an image archive, before a job starts. */
  async checkLoad(archive: string): Promise<void> {
    await checkArchive(this.deps, archive);
  }

  load(archive: string, onProgress: ImageProgressListener): Promise<LoadImagesResult> {
    return loadImages(this.deps, archive, onProgress);
  }

  private buildDeps() {
    return {
      gateway: this.deps.gateway,
      tree: this.deps.tree,
      maxContextBytes: this.deps.maxContextBytes ?? DEFAULT_MAX_CONTEXT_BYTES,
    };
  }
}

export type { BuildResult, BuiltImage } from './build-images.js';
export type { BuildOptions } from './build-source.js';
export type { LoadImagesResult } from './load-images.js';
export type { ImageProgress, ImageProgressListener } from './image-progress.js';
