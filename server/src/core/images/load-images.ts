/**
 * An offline install's image source: an archive `docker save` wrote (plain or gzip) streamed to
 * the engine's load API, with byte progress; a file that is not one is refused in plain words.
 */
import { basename, isAbsolute } from 'node:path';
import { formatBytes } from '../../contract/format-bytes.js';
import { AppError } from '../app-error.js';
import { SERVICE_NAMES } from '../stack-names.js';
import { ImageArchiveScanner, sniffArchive, type ArchiveFormat } from './archive-check.js';
import { ImageEngineError, type ImageGateway } from './image-gateway.js';
import { byteReporter, monotonic, refuse, type ImageProgressListener } from './image-progress.js';
import type { SourceTree } from './source-tree.js';

export interface LoadImagesResult {
  archive: string;
  bytes: number;
  /** Tags now present in the engine. */
  references: string[];
  /** Ids of images the archive carried without a tag. */
  imageIds: string[];
  /**
   * Service -> reference, for the tags whose name ends in a service's name
   * (`medianest/backend:1.0` -> backend): a value for the settings' `images`.
   */
  images: Record<string, string>;
}

export interface LoadDeps {
  gateway: ImageGateway;
  tree: SourceTree;
}

const HEAD_BYTES = 64 * 1024;
/** Repository names of official images that differ from the service they serve. */
const ALIASES: Readonly<Record<string, string>> = { pgadmin4: 'pgadmin' };

/** The service each reference can serve, judged by its repository's last name. */
export function servicesOf(references: readonly string[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const reference of references) {
    const slash = reference.lastIndexOf('/');
    const colon = reference.lastIndexOf(':');
    const repo = colon > slash ? reference.slice(0, colon) : reference;
    const name = repo.slice(repo.lastIndexOf('/') + 1);
    const service = ALIASES[name] ?? name;
    if ((SERVICE_NAMES as readonly string[]).includes(service) && !(service in images)) {
      images[service] = reference;
    }
  }
  return images;
}

const NOT_AN_ARCHIVE = 'not an image archive (make one with `docker save IMAGE... -o FILE.tar`)';

/** Checks the file looks like an image archive; throws AppError('validation_failed') for `archive`. */
export async function checkArchive(
  deps: LoadDeps,
  archive: string,
): Promise<{ size: number; format: ArchiveFormat }> {
  if (!archive || !isAbsolute(archive)) refuse('archive', 'must be an absolute path');
  const stat = await deps.tree.stat(archive);
  if (!stat) refuse('archive', `${archive} does not exist`);
  if (stat.kind !== 'file') refuse('archive', `${archive} is not a file`);
  const sniffed = sniffArchive(await deps.tree.readHead(archive, HEAD_BYTES));
  if ('problem' in sniffed) refuse('archive', `${archive} ${sniffed.problem}: ${NOT_AN_ARCHIVE}`);
  return { size: stat.size, format: sniffed.format };
}

export async function loadImages(
  deps: LoadDeps,
  archive: string,
  onProgress: ImageProgressListener,
): Promise<LoadImagesResult> {
  const percent = monotonic();
  onProgress({ kind: 'phase', step: `Checking ${archive}`, percent: 0 });
  const { size: total, format } = await checkArchive(deps, archive);
  const name = basename(archive);
  const scanner = new ImageArchiveScanner(format);
  let complete = false;
  const report = byteReporter(total, (done, fraction) =>
    onProgress({
      kind: 'archive',
      step: `Loading ${name}: ${formatBytes(done)} of ${formatBytes(total)}`,
      percent: percent(fraction * 95),
      bytes: { done, total },
    }),
  );
  async function* bytes(): AsyncIterable<Uint8Array> {
    let done = 0;
    report(0);
    for await (const chunk of deps.tree.read(archive)) {
      await scanner.write(chunk);
      done += chunk.length;
      report(done);
      yield chunk;
    }
    complete = true;
  }

  let loaded;
  try {
    loaded = await deps.gateway.loadImages(bytes(), (line) =>
      onProgress({ kind: 'output', step: line, line, percent: percent(0) }),
    );
  } catch (error) {
    const scan = await scanner.end();
    if (!(error instanceof ImageEngineError)) throw error;
    // The engine reads the whole archive before it looks for the manifest, so a complete scan
    // without one tells why it refused.
    if (complete && !scan.isImageArchive) {
      refuse('archive', `${archive} is a tar file without manifest.json: ${NOT_AN_ARCHIVE}`);
    }
    throw new AppError(
      'conflict',
      `The engine could not load ${name}: ${error.message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const scan = await scanner.end();
  const references = loaded.references.length > 0 ? loaded.references : scan.repoTags;
  const images = servicesOf(references);
  const mapped = Object.entries(images).map(([service, ref]) => `${service}=${ref}`);
  onProgress({
    kind: 'phase',
    step: `Loaded ${[...references, ...loaded.imageIds].join(' ') || 'nothing'}${mapped.length > 0 ? `; for settings images: ${mapped.join(' ')}` : ''}`,
    percent: percent(100),
  });
  return { archive, bytes: total, references, imageIds: loaded.imageIds, images };
}
