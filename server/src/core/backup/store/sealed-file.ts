/**
 * A store file that carries one sealed byte stream after its header: a snapshot (a backup's
 * manifest) or an index. The records are format 1's (archive/crypto.ts): flags | length |
 * ciphertext | tag, nonce = stream 1 and the record's index, AAD = the header's SHA-256, the
 * nonce, flags and length; every record but the last is full, the last is flagged final. So a
 * record changed, moved, dropped or taken from another file, or a file cut short, fails.
 */
import type { ArchiveKeys } from '../archive/crypto.js';
import {
  RECORD_OVERHEAD,
  STREAM_MANIFEST,
  openRecord,
  sealRecordParts,
} from '../archive/crypto.js';
import type { StoreFileReader, StoreFileWriter, StoreFiles } from './store-files.js';
import {
  FILE_HEADER_SIZE,
  checkFileHeader,
  fileKeys,
  makeFileHeader,
  prefixOf,
  storeCorrupt,
  type StoreFileKind,
  type StoreKeys,
} from './store-crypto.js';

/** Sealed bytes gathered before one write to the disk. */
const WRITE_BATCH = 1024 * 1024;

export class SealedFileWriter {
  private readonly record: Buffer;
  private filled = 0;
  private index = 0;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Bytes written to the file so far, header included. */
  bytes = 0;

  private constructor(
    private readonly file: StoreFileWriter,
    private readonly keys: ArchiveKeys,
  ) {
    this.record = Buffer.allocUnsafe(keys.chunkSize);
  }

  /** Creates `path` (exclusively, 0600) with a fresh header. */
  static async create(
    files: StoreFiles,
    path: string,
    kind: StoreFileKind,
    store: StoreKeys,
  ): Promise<SealedFileWriter> {
    const head = makeFileHeader(kind);
    const writer = new SealedFileWriter(
      await files.create(path, 0o600),
      fileKeys(store, kind, head),
    );
    await writer.queue([head]);
    return writer;
  }

  /** Copies `buffer` in; the caller may reuse it once this resolves. */
  async push(buffer: Buffer): Promise<void> {
    for (let at = 0; at < buffer.length;) {
      // A full record is sealed only when more bytes follow, so the final one is never empty.
      if (this.filled === this.record.length) await this.seal(false);
      const copied = buffer.copy(this.record, this.filled, at);
      this.filled += copied;
      at += copied;
    }
  }

  /** Seals the final record, writes everything, fsyncs and closes. */
  async finish(): Promise<void> {
    await this.seal(true);
    await this.flush();
    await this.file.sync();
    await this.file.close();
  }

  /** After a failure: the handle closed, whatever it holds left for the next clean-up. */
  async abandon(): Promise<void> {
    await this.file.close().catch(() => undefined);
  }

  private async seal(final: boolean): Promise<void> {
    const plain = this.record.subarray(0, this.filled);
    const parts = sealRecordParts(this.keys, STREAM_MANIFEST, this.index, final, plain);
    this.filled = 0;
    this.index += 1;
    await this.queue(parts);
  }

  private async queue(parts: Buffer[]): Promise<void> {
    for (const part of parts) {
      this.queued.push(part);
      this.queuedBytes += part.length;
    }
    if (this.queuedBytes >= WRITE_BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const parts = this.queued;
    this.bytes += this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    await this.file.write(parts);
  }
}

/** The plain bytes of a sealed file, each record authenticated before any of its bytes is used. */
export class SealedFileReader {
  private position = FILE_HEADER_SIZE;
  private index = 0;
  private done = false;
  private buffer: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly file: StoreFileReader,
    private readonly keys: ArchiveKeys,
    private readonly what: string,
  ) {}

  static async open(
    files: StoreFiles,
    path: string,
    kind: StoreFileKind,
    store: StoreKeys,
    what: string,
  ): Promise<SealedFileReader> {
    const file = await files.open(path);
    try {
      const head = await file.read(0, FILE_HEADER_SIZE);
      checkFileHeader(kind, head, what);
      return new SealedFileReader(file, fileKeys(store, kind, head), what);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The file's size on disk. */
  get size(): number {
    return this.file.size;
  }

  private async nextRecord(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    const end = this.file.size;
    if (this.position + RECORD_OVERHEAD > end) throw storeCorrupt(`${this.what} is cut short`);
    const prefix = prefixOf(await this.file.read(this.position, 5), this.what);
    const full = prefix.final
      ? prefix.length <= this.keys.chunkSize
      : prefix.length === this.keys.chunkSize;
    const size = RECORD_OVERHEAD + prefix.length;
    if (!full || this.position + size > end) {
      throw storeCorrupt(`${this.what} has a record of impossible length`);
    }
    const body = await this.file.read(this.position + 5, size - 5);
    let plain: Buffer;
    try {
      plain = openRecord(this.keys, STREAM_MANIFEST, this.index, prefix, body);
    } catch (error) {
      throw storeCorrupt(
        `record ${this.index} of ${this.what} fails its authentication tag`,
        error,
      );
    }
    this.position += size;
    this.index += 1;
    if (prefix.final) {
      this.done = true;
      if (this.position !== end) throw storeCorrupt(`${this.what} has bytes after its end`);
    }
    return plain;
  }

  private async fill(): Promise<boolean> {
    while (this.buffer.length === 0) {
      const next = await this.nextRecord();
      if (next === undefined) return false;
      this.buffer = next;
    }
    return true;
  }

  /** Between 1 and `max` bytes. */
  async some(max: number): Promise<Buffer> {
    if (!(await this.fill())) throw storeCorrupt(`${this.what} ends inside a record`);
    const out = this.buffer.subarray(0, max);
    this.buffer = this.buffer.subarray(out.length);
    return out;
  }

  async exact(length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < length) {
      const part = await this.some(length - got);
      parts.push(part);
      got += part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
