/**
 * Opening an archive as hostile input: the header tells "not an archive", "newer format" and
 * "wrong key" apart before any decryption, the trailer is authenticated and bounded before any of
 * the manifest is read, and the manifest is checked against every rule for paths, kinds and caps
 * before a byte of data is used.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../app-error.js';
import type { ManifestEntry } from './entry-table.js';
import type { ExtractLimits, Manifest } from './format.js';
import {
  HEADER_SIZE,
  STREAM_DATA,
  STREAM_MANIFEST,
  TRAILER_SIZE,
  corrupt,
  openHeader,
  openTrailer,
  type ArchiveKeys,
} from './crypto.js';
import { DEFAULT_LIMITS, checkManifest, manifestJson, unsafe } from './framing.js';
import { ManifestParser } from './manifest-parser.js';
import { PlainReader, RecordReader, framedEntries, readAt, type EntryBody } from './records.js';

export interface Opened {
  handle: FileHandle;
  keys: ArchiveKeys;
  manifest: Manifest;
  manifestOffset: number;
  dataChunks: number;
}

/**
 * Manifests already parsed, by file (unchanged: same inode, size, times, header and sealed
 * trailer) and caps, held only as long as someone else holds them: a restore reads the manifest,
 * then reads the archive twice side by side, and a manifest of 100k entries is ~8 MB even held
 * compactly (entry-table.ts).
 * Only ever filled with a manifest that passed every check under the same caps; `verify` never
 * uses it (it checks every tag, the manifest's included, each time).
 */
export class ManifestCache {
  private readonly held = new Map<string, WeakRef<Manifest>>();

  get(id: string): Manifest | undefined {
    const manifest = this.held.get(id)?.deref();
    if (!manifest) this.held.delete(id);
    return manifest;
  }

  set(id: string, manifest: Manifest): void {
    for (const [key, ref] of this.held) if (!ref.deref()) this.held.delete(key);
    this.held.set(id, new WeakRef(manifest));
  }
}

export async function openArchive(
  path: string,
  key: Uint8Array,
  limits: ExtractLimits,
  cache: ManifestCache | undefined,
  expected?: Manifest,
): Promise<Opened> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('not_found', 'The backup file does not exist.');
    throw error;
  });
  try {
    const { size, dev, ino, mtimeMs, ctimeMs } = await handle.stat();
    const head = await readAt(handle, 0, Math.min(HEADER_SIZE, size));
    const keys = openHeader(key, head);
    if (size < HEADER_SIZE + TRAILER_SIZE) throw corrupt('the file is truncated');
    const sealedTrailer = await readAt(handle, size - TRAILER_SIZE, TRAILER_SIZE);
    const trailer = openTrailer(keys, sealedTrailer);
    const manifestEnd = size - TRAILER_SIZE;
    if (
      trailer.manifestOffset < HEADER_SIZE ||
      trailer.manifestOffset + trailer.manifestLength !== manifestEnd
    ) {
      throw corrupt('its trailer points outside the file');
    }
    // Before a byte of it is read or held.
    if (trailer.manifestLength > limits.maxManifestBytes) {
      throw unsafe(
        '',
        `a manifest of ${trailer.manifestLength} bytes, more than the ${limits.maxManifestBytes} allowed`,
      );
    }
    // The same file, unchanged since (a copy, or any write, has another identity), under the same caps.
    const id = [dev, ino, size, mtimeMs, ctimeMs, head.toString('base64')]
      .concat(sealedTrailer.toString('base64'), JSON.stringify(limits))
      .join('/');
    const version = head.readUInt16BE(8);
    const records = new RecordReader(
      handle,
      keys,
      STREAM_MANIFEST,
      trailer.manifestOffset,
      manifestEnd,
    );
    let manifest = cache?.get(id);
    if (!manifest && expected) {
      // Every tag checked, and the bytes exactly the expected manifest's JSON: no second copy.
      const read = createHash('sha256');
      for (let part = await records.next(); part; part = await records.next()) read.update(part);
      const written = createHash('sha256');
      for (const piece of manifestJson(expected)) written.update(piece);
      if (!read.digest().equals(written.digest()) || expected.format !== version) {
        throw corrupt('its manifest is not the one that was written');
      }
      checkManifest(expected, limits);
      manifest = expected;
    } else if (!manifest) {
      // Decoded and parsed as it is read: neither the whole text nor a tree of objects is held.
      const decoder = new StringDecoder('utf8');
      const parser = new ManifestParser(limits, version);
      for (let part = await records.next(); part; part = await records.next()) {
        parser.push(decoder.write(part));
      }
      parser.push(decoder.end());
      manifest = parser.finish();
      cache?.set(id, manifest);
    }
    return {
      handle,
      keys,
      manifest,
      manifestOffset: trailer.manifestOffset,
      dataChunks: trailer.dataChunks,
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Every framed entry of an opened archive, then the check that the data part ended where it should. */
export async function* dataEntries(
  opened: Opened,
): AsyncGenerator<{ entry: ManifestEntry; body: EntryBody | undefined }> {
  const records = new RecordReader(
    opened.handle,
    opened.keys,
    STREAM_DATA,
    HEADER_SIZE,
    opened.manifestOffset,
  );
  yield* framedEntries(new PlainReader(records), opened.manifest.entries);
  if (records.index !== opened.dataChunks)
    throw corrupt('its chunk count does not match its trailer');
}

export const limitsWith = (limits?: Partial<ExtractLimits>): ExtractLimits => ({
  ...DEFAULT_LIMITS,
  ...limits,
});
