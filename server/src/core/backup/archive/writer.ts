/**
 * Writes a backup archive (docs/backup-format.md) as one stream: entries are framed, cut into
 * sealed chunks and appended to `.<name>.partial` beside the target, which is fsynced and renamed
 * only when complete. Memory stays at a few MiB (one record buffer, 4 MiB of write-ahead) whatever
 * the size, besides the manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../app-error.js';
import type { ArchiveProgress, ArchiveWriter, EntrySource, Manifest } from './format.js';
import { ARCHIVE_FORMAT_VERSION } from './format.js';
import {
  DEFAULT_CHUNK_SIZE,
  STREAM_DATA,
  STREAM_MANIFEST,
  makeHeader,
  sealRecordParts,
  sealTrailer,
  type ArchiveKeys,
} from './crypto.js';
import {
  KIND_DIR,
  KIND_FILE,
  MODE_MASK,
  TAG_END,
  encodeEntryHeader,
  manifestJson,
  pathProblem,
  segmentHeader,
  unsafe,
} from './framing.js';
import { fsyncFolder, ioError, partialPathFor, writeAll } from './files.js';
import { EntryTable, type ManifestEntry } from './entry-table.js';

export interface ArchiveWriterOptions {
  /** Plain bytes per sealed chunk (1 KiB to 16 MiB); 1 MiB by default. */
  chunkSize?: number;
  now?: () => Date;
}

/** How many sealed bytes may wait for the disk while the next ones are read and encrypted. */
const WRITE_AHEAD = 4 * 1024 * 1024;

/**
 * Appends bytes to the open partial file in order, counting them. Writes run behind the caller by
 * up to WRITE_AHEAD bytes, so reading, encrypting and writing overlap; `flush` waits for all of
 * them and rethrows the first failure (a full disk). The parts of one write go out in one
 * gathered system call.
 */
export class Output {
  bytes = 0;
  private queued = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  constructor(private readonly handle: FileHandle) {}

  async write(data: Buffer | readonly Buffer[]): Promise<void> {
    if (this.failure) throw this.failure.error;
    const parts = Buffer.isBuffer(data) ? [data] : data;
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    this.bytes += length;
    this.queued += length;
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        await writeAll(this.handle, parts);
      } catch (error) {
        this.failure = { error };
      } finally {
        this.queued -= length;
      }
    });
    if (this.queued > WRITE_AHEAD) await this.flush();
  }

  async flush(): Promise<void> {
    await this.tail;
    if (this.failure) throw this.failure.error;
  }
}

/**
 * Where sealed records go, in order: the archive's Output, or a file of the backup store (which
 * seals its snapshots and indexes as records of this same format, store/sealed-file.ts).
 */
export interface RecordSink {
  write(parts: Buffer[]): Promise<void>;
}

/**
 * Cuts a byte stream into sealed records of `chunkSize` plain bytes; the last one is final. The
 * bytes are gathered into one record buffer, reused for every record: pushing many small pieces
 * (the framing of 100k small files) allocates nothing per piece, and only the ciphertext is new.
 */
export class SealedStream {
  private readonly record: Buffer;
  private filled = 0;
  chunks = 0;
  constructor(
    private readonly out: RecordSink,
    private readonly keys: ArchiveKeys,
    private readonly stream: number,
  ) {
    this.record = Buffer.allocUnsafe(keys.chunkSize);
  }

  /** Copies `buffer` in; the caller may reuse it once this resolves. */
  async push(buffer: Buffer): Promise<void> {
    for (let at = 0; at < buffer.length;) {
      // A full record is sealed only when more bytes follow: the final record always has at least
      // one byte to carry its flag (or is the only, empty, one).
      if (this.filled === this.record.length) await this.seal(false);
      const copied = buffer.copy(this.record, this.filled, at);
      this.filled += copied;
      at += copied;
    }
  }

  async finish(): Promise<void> {
    await this.seal(true);
  }

  private async seal(final: boolean): Promise<void> {
    const parts = sealRecordParts(
      this.keys,
      this.stream,
      this.chunks,
      final,
      this.record.subarray(0, this.filled),
    );
    this.filled = 0;
    this.chunks += 1;
    await this.out.write(parts);
  }
}

/** A backup stopped by its signal (the store's writer says it the same way). */
export function cancelled(signal: AbortSignal): AppError {
  return new AppError('backup_failed', 'The backup was cancelled before it finished.', undefined, {
    cause: signal.reason,
  });
}

/** A piece of a file's Readable (a string, a Buffer or other bytes) as a Buffer. */
export const toBuffer = (piece: unknown): Buffer =>
  typeof piece === 'string'
    ? Buffer.from(piece, 'utf8')
    : Buffer.isBuffer(piece)
      ? piece
      : Buffer.from(piece as Uint8Array);

interface WriteState {
  data: SealedStream;
  bytes: number;
  current: Readable | undefined;
  onProgress?: (progress: ArchiveProgress) => void;
  signal?: AbortSignal;
}

async function writeFileBody(
  state: WriteState,
  path: string,
  body: Readable | Buffer[],
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of body) {
    if (state.signal?.aborted) throw cancelled(state.signal);
    const buffer = toBuffer(piece);
    for (let at = 0; at < buffer.length; at += DEFAULT_CHUNK_SIZE) {
      const part = buffer.subarray(at, at + DEFAULT_CHUNK_SIZE);
      await state.data.push(segmentHeader(part.length));
      await state.data.push(part);
    }
    hash.update(buffer);
    size += buffer.length;
    state.bytes += buffer.length;
    state.onProgress?.({ path, bytes: state.bytes });
  }
  await state.data.push(segmentHeader(0));
  return { size, sha256: hash.digest('hex') };
}

async function writeEntry(
  state: WriteState,
  source: EntrySource,
  written: EntryTable,
): Promise<ManifestEntry> {
  if (state.signal?.aborted) throw cancelled(state.signal);
  const problem = pathProblem(source.path);
  if (problem) throw unsafe(source.path, problem);
  if (written.indexOf(source.path) >= 0) throw unsafe(source.path, 'listed twice');
  const isFile = source.kind === 'file';
  const mode = (source.mode ?? (isFile ? 0o644 : 0o755)) & MODE_MASK;
  await state.data.push(encodeEntryHeader(isFile ? KIND_FILE : KIND_DIR, mode, source.path));
  state.onProgress?.({ path: source.path, bytes: state.bytes });
  if (!isFile) return { path: source.path, kind: 'dir', size: 0, sha256: '', mode };
  const body = await source.open();
  if (Buffer.isBuffer(body)) {
    const { size, sha256 } = await writeFileBody(state, source.path, [body]);
    return { path: source.path, kind: 'file', size, sha256, mode };
  }
  state.current = body;
  try {
    const { size, sha256 } = await writeFileBody(state, source.path, body);
    return { path: source.path, kind: 'file', size, sha256, mode };
  } finally {
    state.current = undefined;
    body.destroy();
  }
}

export function createArchiveWriter(options: ArchiveWriterOptions = {}): ArchiveWriter {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const now = options.now ?? (() => new Date());
  return {
    async write(target, entries, meta, key, onProgress, signal) {
      const partial = partialPathFor(target);
      if (
        await stat(target).then(
          () => true,
          () => false,
        )
      ) {
        throw new AppError('conflict', `A backup named ${basename(target)} already exists.`);
      }
      await rm(partial, { force: true });
      const { header, keys } = makeHeader(key, randomBytes(32), chunkSize);
      let handle: FileHandle | undefined;
      let out: Output | undefined;
      const state: WriteState = { data: undefined as never, bytes: 0, current: undefined };
      const onAbort = (): void => {
        state.current?.destroy(cancelled(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort);
      try {
        if (signal?.aborted) throw cancelled(signal);
        handle = await open(partial, 'wx', 0o600);
        out = new Output(handle);
        await out.write(header);
        Object.assign(state, {
          data: new SealedStream(out, keys, STREAM_DATA),
          onProgress,
          signal,
        });
        const manifest: Manifest = {
          format: ARCHIVE_FORMAT_VERSION,
          createdAt: now().toISOString(),
          entries: new EntryTable(),
          meta,
        };
        for await (const source of entries) {
          manifest.entries.push(await writeEntry(state, source, manifest.entries));
        }
        await state.data.push(Buffer.from([TAG_END]));
        await state.data.finish();
        const manifestOffset = out.bytes;
        const manifestStream = new SealedStream(out, keys, STREAM_MANIFEST);
        for (const piece of manifestJson(manifest)) await manifestStream.push(piece);
        await manifestStream.finish();
        const manifestLength = out.bytes - manifestOffset;
        await out.write(
          sealTrailer(keys, { manifestOffset, manifestLength, dataChunks: state.data.chunks }),
        );
        if (signal?.aborted) throw cancelled(signal);
        await out.flush();
        await handle.sync();
        await handle.close();
        handle = undefined;
        await rename(partial, target);
        await fsyncFolder(dirname(target));
        return { manifest, bytes: out.bytes };
      } catch (error) {
        await out?.flush().catch(() => undefined);
        await handle?.close().catch(() => undefined);
        await rm(partial, { force: true }).catch(() => undefined);
        throw ioError(error, 'Writing the backup archive');
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
