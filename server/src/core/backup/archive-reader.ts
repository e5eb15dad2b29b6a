/**
 * Reads a backup archive (docs/backup-format.md) as hostile input: the header tells "not an
 * archive", "newer format" and "wrong key" apart before any decryption; the manifest is checked
 * against every rule for paths, kinds and caps before a byte is extracted; every chunk is
 * authenticated before its bytes are used, and every entry's size and SHA-256 checked at its end.
 */
import { createHash } from 'node:crypto';
import { close, fchmod, fchown, open as openFd, write as writeFd } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, realpath, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { AppError } from '../app-error.js';
import type {
  ArchiveProgress,
  ArchiveReader,
  ExtractLimits,
  ExtractOwner,
  Manifest,
  ManifestEntry,
} from './archive.js';
import {
  HEADER_SIZE,
  STREAM_DATA,
  STREAM_MANIFEST,
  TRAILER_SIZE,
  corrupt,
  openHeader,
  openTrailer,
  type ArchiveKeys,
} from './archive-crypto.js';
import {
  DEFAULT_LIMITS,
  MODE_MASK,
  checkManifest,
  manifestJson,
  unsafe,
} from './archive-framing.js';
import { ManifestParser } from './manifest-parser.js';
import { ioError } from './archive-files.js';
import { CREATE_FLAGS, FileBatchError, FileBatches, type FileToWrite } from './file-batches.js';
import type { EntryBody } from './archive-records.js';
import { PlainReader, RecordReader, framedEntries, readAt } from './archive-records.js';

interface Opened {
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
class ManifestCache {
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

async function openArchive(
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
async function* dataEntries(
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

const limitsWith = (limits?: Partial<ExtractLimits>): ExtractLimits => ({
  ...DEFAULT_LIMITS,
  ...limits,
});

/**
 * A Readable over one entry's body; `settled` resolves once no read is in flight; `failure` is
 * what reading the body threw (a bad tag or checksum), kept so it is reported as such rather than
 * as the consumer's complaint about a stream that stopped.
 */
function bodyStream(
  body: EntryBody,
  onPiece?: (length: number) => void,
): { stream: Readable; settled: () => Promise<void>; failure: () => Error | undefined } {
  let inflight: Promise<void> = Promise.resolve();
  let failed: Error | undefined;
  const stream = new Readable({
    read() {
      inflight = body.next().then(
        (piece) => {
          if (piece) onPiece?.(piece.length);
          this.push(piece ?? null);
        },
        (error: unknown) => {
          failed = error as Error;
          this.destroy(failed);
        },
      );
    },
  });
  return { stream, settled: () => inflight, failure: () => failed };
}

type Consumers = Record<string, (stream: Readable) => Promise<void>>;

/** Gives an entry to its consumer when `consume` names it; true when it did. */
async function consumeIfNamed(
  consume: Consumers,
  entry: ManifestEntry,
  body: EntryBody | undefined,
  count: (length: number) => void,
): Promise<boolean> {
  const consumer = Object.hasOwn(consume, entry.path) ? consume[entry.path] : undefined;
  if (!body || !consumer) return false;
  await consumeEntry(body, consumer, count);
  return true;
}

/** Feeds one entry to its consumer; the body's own failure wins over the consumer's. */
async function consumeEntry(
  body: EntryBody,
  consumer: (stream: Readable) => Promise<void>,
  onPiece: (length: number) => void,
): Promise<void> {
  const { stream, settled, failure } = bodyStream(body, onPiece);
  try {
    await consumer(stream);
  } catch (error) {
    await settled();
    throw failure() ?? error;
  }
  await settled();
  const failed = failure();
  if (failed) throw failed;
  // A consumer that stopped early: the rest is still read and checked (framedEntries drains it).
  if (!body.finished) stream.destroy();
}

/**
 * Files at most this big are read whole (checked) and handed to the staging writer in batches,
 * while the next ones are read; at most two batches are being written at a time.
 */
const BATCH_FILE = 256 * 1024;
const BATCH_FILES = 128;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCHES_IN_FLIGHT = 2;

/** Plain descriptors for the few large files (a FileHandle costs more than its system calls). */
const fd = {
  open: promisify(openFd),
  write: promisify(writeFd),
  chmod: promisify(fchmod),
  chown: promisify(fchown),
  close: promisify(close),
};

/**
 * Writing an archive's files into staging: folders checked once each (the archive itself can
 * only add regular files and folders, so a folder found once stays one), small files written in
 * batches by a worker thread while the next ones are read (file-batches.ts), large ones
 * streamed. Only a file whose bytes have all been read and checked is written at all.
 */
class Extraction {
  private readonly folders = new Set<string>();
  private readonly writer = new FileBatches();
  private batch: Array<FileToWrite & { entry: ManifestEntry }> = [];
  private batchBytes = 0;
  private inFlight: Array<Promise<void>> = [];

  constructor(
    private readonly root: string,
    private readonly owner: ExtractOwner | undefined,
  ) {}

  async folder(relative: string): Promise<void> {
    let at = this.root;
    let path = '';
    for (const part of relative.split('/')) {
      at = join(at, part);
      path = path ? `${path}/${part}` : part;
      if (this.folders.has(path)) continue;
      const info = await lstat(at).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) {
        await mkdir(at, { mode: 0o700 });
        const owner = this.owner?.(path);
        if (owner) await chown(at, owner.uid, owner.gid);
      } else if (!info.isDirectory() || info.isSymbolicLink()) {
        throw unsafe(relative, 'a folder whose place in staging is taken by a file or link');
      }
      this.folders.add(path);
    }
  }

  async file(entry: ManifestEntry, body: EntryBody): Promise<void> {
    const parent = entry.path.split('/').slice(0, -1).join('/');
    if (parent) await this.folder(parent);
    const target = join(this.root, entry.path);
    if (entry.size > BATCH_FILE) {
      await this.settle();
      await writeFrom(target, entry, this.owner, async (write) => {
        for (let piece = await body.next(); piece; piece = await body.next()) await write(piece);
      });
      return;
    }
    const data: Buffer[] = [];
    let size = 0;
    for (let piece = await body.next(); piece; piece = await body.next()) {
      data.push(piece);
      size += piece.length;
    }
    this.batch.push({
      entry,
      target,
      mode: entry.mode & MODE_MASK,
      owner: this.owner?.(entry.path),
      data,
      size,
    });
    this.batchBytes += size;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Hands the current batch to the writer; waits while too many are being written. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    const written = this.writer.write(batch).catch((error: unknown) => {
      // Anything else keeps its errno code, which ioError turns into the user's message.
      const entry =
        error instanceof FileBatchError && error.code === 'EEXIST'
          ? batch.find((f) => f.target === error.path)?.entry
          : undefined;
      throw entry ? unsafe(entry.path, 'it already exists in staging') : error;
    });
    // Failures are collected by settle(); none may go unhandled meanwhile.
    written.catch(() => undefined);
    this.inFlight.push(written);
    if (this.inFlight.length > BATCHES_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Writes what is batched and waits for every batch; the first failure is thrown. */
  async settle(): Promise<void> {
    await this.flush();
    const inFlight = this.inFlight;
    this.inFlight = [];
    const results = await Promise.allSettled(inFlight);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Once done, failed or not: no write may still land in staging after this. */
  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.writer.close();
  }
}

async function writeFrom(
  target: string,
  entry: ManifestEntry,
  ownerOf: ExtractOwner | undefined,
  fill: (write: (piece: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const file = await fd.open(target, CREATE_FLAGS, 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw unsafe(entry.path, 'it already exists in staging');
    throw error;
  });
  try {
    await fill(async (piece) => {
      for (let done = 0; done < piece.length;) {
        done += (await fd.write(file, piece, done, piece.length - done, null)).bytesWritten;
      }
    });
    const owner = ownerOf?.(entry.path);
    if (owner) await fd.chown(file, owner.uid, owner.gid);
    await fd.chmod(file, entry.mode & MODE_MASK);
    await fd.close(file);
  } catch (error) {
    await fd.close(file).catch(() => undefined);
    await rm(target, { force: true });
    throw error;
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
        let bytes = 0;
        for await (const { entry, body } of dataEntries(opened)) {
          onProgress?.({ path: entry.path, bytes });
          const count = (length: number): void => {
            bytes += length;
            onProgress?.({ path: entry.path, bytes });
          };
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
      let bytes = 0;
      let extraction: Extraction | undefined;
      try {
        await mkdir(stagingDir, { recursive: true, mode: 0o700 });
        const root = await realpath(stagingDir);
        extraction = new Extraction(root, owner);
        for await (const { entry, body } of dataEntries(opened)) {
          onProgress?.({ path: entry.path, bytes });
          const count = (length: number): void => {
            bytes += length;
            onProgress?.({ path: entry.path, bytes });
          };
          if (await consumeIfNamed(consume, entry, body, count)) continue;
          if (prefixes && !prefixes.some((prefix) => entry.path.startsWith(prefix))) {
            bytes += entry.size;
            continue;
          }
          if (body) {
            await extraction.file(entry, body);
            bytes += entry.size;
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
