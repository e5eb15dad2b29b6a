/**
 * A store file that carries one sealed byte stream after its header: a snapshot (a backup's
 * manifest) or an index. The records are format 1's (archive/crypto.ts): flags | length |
 * ciphertext | tag, nonce = stream 1 and the record's index, AAD = the header's SHA-256, the
 * nonce, flags and length; every record but the last is full, the last is flagged final. So a
 * record changed, moved, dropped or taken from another file, or a file cut short, fails.
 */
import type { ArchiveKeys } from '../archive/crypto.js';
import { RECORD_OVERHEAD, STREAM_MANIFEST, openRecord } from '../archive/crypto.js';
import { PlainReader, type PlainRecords } from '../archive/records.js';
import { SealedStream } from '../archive/writer.js';
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
  /** Records sealed as format 1's writer seals them; only where they go differs. */
  private readonly sealed: SealedStream;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  /** Bytes written to the file so far, header included. */
  bytes = 0;

  private constructor(
    private readonly file: StoreFileWriter,
    keys: ArchiveKeys,
  ) {
    this.sealed = new SealedStream({ write: (parts) => this.queue(parts) }, keys, STREAM_MANIFEST);
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
  push(buffer: Buffer): Promise<void> {
    return this.sealed.push(buffer);
  }

  /** Seals the final record, writes everything, fsyncs and closes. */
  async finish(): Promise<void> {
    await this.sealed.finish();
    await this.flush();
    await this.file.sync();
    await this.file.close();
  }

  /** After a failure: the handle closed, whatever it holds left for the next clean-up. */
  async abandon(): Promise<void> {
    await this.file.close().catch(() => undefined);
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

/** The records of a sealed file after its header, each authenticated before it is returned. */
class SealedRecords implements PlainRecords {
  private position = FILE_HEADER_SIZE;
  private index = 0;
  private done = false;

  constructor(
    private readonly file: StoreFileReader,
    private readonly keys: ArchiveKeys,
    private readonly what: string,
  ) {}

  async next(): Promise<Buffer | undefined> {
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
}

/** The plain bytes of a sealed file, each record authenticated before any of its bytes is used. */
export class SealedFileReader extends PlainReader {
  private constructor(
    private readonly file: StoreFileReader,
    keys: ArchiveKeys,
    what: string,
  ) {
    super(new SealedRecords(file, keys, what), () => storeCorrupt(`${what} ends inside a record`));
  }

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

  async close(): Promise<void> {
    await this.file.close();
  }
}
