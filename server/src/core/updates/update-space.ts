/**
 * Room on the engine's storage for the images an update pulls. A pull that fills the disk half-way
 * fails late and can leave the engine short of space for the running stack's own writes, so the
 * update is refused in preflight, while the running version keeps serving and nothing has stopped.
 */
import { formatBytes } from '../../contract/format-bytes.js';

/**
 * A pull downloads the compressed layers, then unpacks them: the unpacked size is commonly two to
 * three times the download, and the download is held until its layer is unpacked.
 */
export const UNPACK_FACTOR = 3;
/** Kept free beyond the estimate: the engine's own metadata, the containers' writable layers, logs. */
export const ENGINE_SPACE_MARGIN = 512 * 1024 ** 2;

export interface MissingImage {
  image: string;
  /** The compressed size the registry states; undefined when it could not be asked. */
  downloadBytes: number | undefined;
}

/** Where the engine keeps images and how much room it has; undefined when that cannot be read. */
export interface EngineStorage {
  dir: string;
  freeBytes: number;
}

/** Why the engine's storage cannot take `missing`, or undefined when it can (or cannot be known). */
export function engineSpaceProblem(
  missing: readonly MissingImage[],
  storage: EngineStorage | undefined,
): string | undefined {
  if (!storage || missing.length === 0) return undefined;
  const known = missing.filter((m) => m.downloadBytes !== undefined);
  const download = known.reduce((sum, m) => sum + (m.downloadBytes ?? 0), 0);
  const needed = download * UNPACK_FACTOR + ENGINE_SPACE_MARGIN;
  if (storage.freeBytes >= needed) return undefined;
  const names = missing.map((m) => m.image).join(', ');
  const unknown =
    known.length < missing.length
      ? ` (the registry did not state the size of ${missing.length - known.length} of them: counted as nothing)`
      : '';
  return (
    `Only ${formatBytes(storage.freeBytes)} is free on Docker's storage (${storage.dir}); pulling ${names} ` +
    `needs about ${formatBytes(needed)}: ${formatBytes(download)} to download${unknown}, unpacked to about ` +
    `${UNPACK_FACTOR} times that, plus ${formatBytes(ENGINE_SPACE_MARGIN)} kept free. Free space there ` +
    `(for example \`docker image prune\`), then update again: nothing was changed.`
  );
}
