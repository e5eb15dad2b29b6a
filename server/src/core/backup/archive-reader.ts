/**
 * Reads a backup archive (docs/backup-format.md) as hostile input: the header tells "not an
 * archive", "newer format" and "wrong key" apart before any decryption; the manifest is checked
 * against every rule for paths, kinds and caps before a byte is extracted; every chunk is
 * authenticated before its bytes are used, and every entry's size and SHA-256 checked at its end.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, chmod, realpath, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../app-error.js';
import type {
  ArchiveProgress,
  ArchiveReader,
  ExtractLimits,
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
import { DEFAULT_LIMITS, MODE_MASK, parseManifest, unsafe } from './archive-framing.js';
import { ioError } from './archive-files.js';
import type { EntryBody } from './archive-records.js';
import { PlainReader, RecordReader, framedEntries, readAt } from './archive-records.js';

/** The largest sealed manifest a reader accepts (about a million entries). */
const MAX_MANIFEST_BYTES = 512 * 1024 * 1024;

interface Opened {
  handle: FileHandle;
  keys: ArchiveKeys;
  manifest: Manifest;
  manifestOffset: number;
  dataChunks: number;
}

async function openArchive(path: string, key: Uint8Array, limits: ExtractLimits): Promise<Opened> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('not_found', 'The backup file does not exist.');
    throw error;
  });
  try {
    const { size } = await handle.stat();
    const head = await readAt(handle, 0, Math.min(HEADER_SIZE, size));
    const keys = openHeader(key, head);
    if (size < HEADER_SIZE + TRAILER_SIZE) throw corrupt('the file is truncated');
    const trailer = openTrailer(keys, await readAt(handle, size - TRAILER_SIZE, TRAILER_SIZE));
    const manifestEnd = size - TRAILER_SIZE;
    if (
      trailer.manifestOffset < HEADER_SIZE ||
      trailer.manifestOffset + trailer.manifestLength !== manifestEnd ||
      trailer.manifestLength > MAX_MANIFEST_BYTES
    ) {
      throw corrupt('its trailer points outside the file');
    }
    const records = new RecordReader(
      handle,
      keys,
      STREAM_MANIFEST,
      trailer.manifestOffset,
      manifestEnd,
    );
    const parts: Buffer[] = [];
    for (let part = await records.next(); part; part = await records.next()) parts.push(part);
    const manifest = parseManifest(
      Buffer.concat(parts).toString('utf8'),
      limits,
      head.readUInt16BE(8),
    );
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

/** Files at most this big are read whole (checked) and written while the next ones are read. */
const WRITE_BEHIND_FILE = 256 * 1024;
const WRITE_BEHIND_FILES = 64;
const WRITE_BEHIND_BYTES = 16 * 1024 * 1024;

/** O_EXCL never follows or overwrites whatever is already there, a link included. */
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Writing an archive's files into staging: folders checked once each (the archive itself can
 * only add regular files and folders, so a folder found once stays one), small files written
 * behind the read (a bounded number in flight) so decrypting the next ones overlaps the disk.
 * Only a file whose bytes have all been read and checked is written at all.
 */
class Extraction {
  private readonly folders = new Set<string>();
  private pending: Array<Promise<void>> = [];
  private pendingBytes = 0;

  constructor(private readonly root: string) {}

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
      if (!info) await mkdir(at, { mode: 0o700 });
      else if (!info.isDirectory() || info.isSymbolicLink()) {
        throw unsafe(relative, 'a folder whose place in staging is taken by a file or link');
      }
      this.folders.add(path);
    }
  }

  async file(entry: ManifestEntry, body: EntryBody): Promise<void> {
    const parent = entry.path.split('/').slice(0, -1).join('/');
    if (parent) await this.folder(parent);
    const target = join(this.root, entry.path);
    if (entry.size > WRITE_BEHIND_FILE) {
      await this.settle();
      await writeFrom(target, entry, async (write) => {
        for (let piece = await body.next(); piece; piece = await body.next()) await write(piece);
      });
      return;
    }
    const pieces: Buffer[] = [];
    for (let piece = await body.next(); piece; piece = await body.next()) pieces.push(piece);
    const data = Buffer.concat(pieces);
    const written = writeFrom(target, entry, (write) => write(data));
    // Failures are collected by settle(); none may go unhandled meanwhile.
    written.catch(() => undefined);
    this.pending.push(written);
    this.pendingBytes += data.length;
    if (this.pending.length >= WRITE_BEHIND_FILES || this.pendingBytes >= WRITE_BEHIND_BYTES) {
      await this.settle();
    }
  }

  /** Waits for every file written behind; the first failure is thrown. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const results = await Promise.allSettled(pending);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

async function writeFrom(
  target: string,
  entry: ManifestEntry,
  fill: (write: (piece: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const handle = await open(target, CREATE_FLAGS, 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw unsafe(entry.path, 'it already exists in staging');
    throw error;
  });
  try {
    await fill(async (piece) => {
      for (let done = 0; done < piece.length;) {
        done += (await handle.write(piece, done, piece.length - done, null)).bytesWritten;
      }
    });
    await handle.chmod(entry.mode & MODE_MASK);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(target, { force: true });
    throw error;
  }
}

export function createArchiveReader(): ArchiveReader {
  return {
    async readManifest(path, key) {
      const opened = await openArchive(path, key, DEFAULT_LIMITS);
      await opened.handle.close();
      return opened.manifest;
    },

    async verify(path, key, onProgress?: (progress: ArchiveProgress) => void, consume = {}) {
      const opened = await openArchive(path, key, DEFAULT_LIMITS);
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
      const opened = await openArchive(path, key, DEFAULT_LIMITS);
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
      const opened = await openArchive(path, key, limitsWith(options.limits));
      const { prefixes, consume = {}, onProgress } = options;
      const folders: ManifestEntry[] = [];
      let bytes = 0;
      let extraction: Extraction | undefined;
      try {
        await mkdir(stagingDir, { recursive: true, mode: 0o700 });
        const root = await realpath(stagingDir);
        extraction = new Extraction(root);
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
        // No write may still land in staging once the caller hears of the failure.
        await extraction?.settle().catch(() => undefined);
        throw ioError(error, 'Extracting the backup', 'restore_failed');
      } finally {
        await opened.handle.close();
      }
    },
  };
}
