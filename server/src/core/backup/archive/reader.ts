/**
 * Reads a backup archive (docs/backup-format.md) as hostile input: opened and its manifest checked
 * first (open-archive.ts); every chunk is authenticated before its bytes are used, and every
 * entry's size and SHA-256 checked at its end (records.ts); entries land only in staging
 * (extraction.ts).
 */
import { chmod, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveProgress, ArchiveReader, Manifest } from './format.js';
import type { ManifestEntry } from './entry-table.js';
import { bodyStream, consumeIfNamed } from './entry-streams.js';
import { Extraction } from './extraction.js';
import { ioError } from './files.js';
import { DEFAULT_LIMITS, MODE_MASK } from './framing.js';
import { ManifestCache, dataEntries, limitsWith, openArchive } from './open-archive.js';

/** Plain bytes read over the whole archive, reported as each entry starts and as it is counted. */
class Progress {
  bytes = 0;

  constructor(private readonly onProgress?: (progress: ArchiveProgress) => void) {}

  /** Reports the entry's start; the function returned counts bytes read of it and reports them. */
  entering(path: string): (length: number) => void {
    this.onProgress?.({ path, bytes: this.bytes });
    return (length) => {
      this.bytes += length;
      this.onProgress?.({ path, bytes: this.bytes });
    };
  }
}

export function createArchiveReader(): ArchiveReader {
  const manifests = new ManifestCache();
  return {
    async readManifest(path, key) {
      const opened = await openArchive(path, key, DEFAULT_LIMITS, manifests);
      await opened.handle.close();
      return opened.manifest;
    },

    async verify(
      path,
      key,
      onProgress?: (progress: ArchiveProgress) => void,
      consume = {},
      expected?: Manifest,
    ) {
      const opened = await openArchive(path, key, DEFAULT_LIMITS, undefined, expected);
      try {
        const progress = new Progress(onProgress);
        for await (const { entry, body } of dataEntries(opened)) {
          const count = progress.entering(entry.path);
          if (await consumeIfNamed(consume, entry, body, count)) continue;
          for (let piece = await body?.next(); piece; piece = await body?.next())
            count(piece.length);
        }
        return opened.manifest;
      } finally {
        await opened.handle.close();
      }
    },

    async *entries(path, key) {
      const opened = await openArchive(path, key, DEFAULT_LIMITS, manifests);
      let current: ReturnType<typeof bodyStream> | undefined;
      try {
        for await (const { entry, body } of dataEntries(opened)) {
          if (!body) {
            yield { entry, stream: undefined };
            continue;
          }
          current = bodyStream(body);
          yield { entry, stream: current.stream };
          // The caller may not have read it all: stop the stream, then the generator drains the rest.
          if (!body.finished) current.stream.destroy();
          await current.settled();
          current = undefined;
        }
      } finally {
        // A caller that stops early: no read may still be in flight when the file closes.
        current?.stream.destroy();
        await current?.settled();
        await opened.handle.close();
      }
    },

    async extract(path, key, stagingDir, options = {}) {
      const opened = await openArchive(path, key, limitsWith(options.limits), manifests);
      const { prefixes, consume = {}, onProgress, owner } = options;
      const folders: ManifestEntry[] = [];
      const progress = new Progress(onProgress);
      let extraction: Extraction | undefined;
      try {
        await mkdir(stagingDir, { recursive: true, mode: 0o700 });
        const root = await realpath(stagingDir);
        extraction = new Extraction(root, owner);
        for await (const { entry, body } of dataEntries(opened)) {
          const count = progress.entering(entry.path);
          if (await consumeIfNamed(consume, entry, body, count)) continue;
          if (prefixes && !prefixes.some((prefix) => entry.path.startsWith(prefix))) {
            progress.bytes += entry.size;
            continue;
          }
          if (body) {
            await extraction.file(entry, body);
            progress.bytes += entry.size;
          } else {
            await extraction.folder(entry.path);
            folders.push(entry);
          }
        }
        await extraction.settle();
        // Folder modes last and deepest first, so a read-only folder does not block its contents.
        for (const folder of folders.reverse()) {
          await chmod(join(root, folder.path), (folder.mode & MODE_MASK) | 0o700);
        }
        return opened.manifest;
      } catch (error) {
        throw ioError(error, 'Extracting the backup', 'restore_failed');
      } finally {
        // No write may still land in staging once the caller hears of the outcome.
        await extraction?.close();
        await opened.handle.close();
      }
    },
  };
}
