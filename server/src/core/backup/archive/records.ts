/**
 * Reading side of the archive's layers: sealed records from a file region, the plain bytes they
 * carry, and the framed entries in those bytes, each checked against the manifest as it goes.
 * Every read is bounded (a chunk, a segment), so memory does not grow with the archive.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import {
  corrupt,
  openRecord,
  parseRecordPrefix,
  RECORD_OVERHEAD,
  type ArchiveKeys,
} from './crypto.js';
import { KIND_FILE, MAX_SEGMENT, TAG_END, TAG_ENTRY, checkEntryKind, unsafe } from './framing.js';
import type { EntryTable, ManifestEntry } from './entry-table.js';

export async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
  into?: Buffer,
): Promise<Buffer> {
  const buffer = into ? into.subarray(0, length) : Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw corrupt('the file ends early');
    done += bytesRead;
  }
  return buffer;
}

/** The sealed records of one stream, between `start` and `end` of the file, in order. */
export class RecordReader {
  index = 0;
  private position: number;
  private done = false;
  /** Each record's sealed bytes are read into this, again and again (only its plain text is new). */
  private readonly sealed: Buffer;
  constructor(
    private readonly handle: FileHandle,
    private readonly keys: ArchiveKeys,
    private readonly stream: number,
    start: number,
    private readonly end: number,
  ) {
    this.position = start;
    this.sealed = Buffer.allocUnsafe(RECORD_OVERHEAD + keys.chunkSize);
  }

  /** The next record's plain bytes; undefined after the final one. */
  async next(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    if (this.position + RECORD_OVERHEAD > this.end)
      throw corrupt('a part ends before its last chunk');
    const prefix = parseRecordPrefix(await readAt(this.handle, this.position, 5, this.sealed));
    const full = prefix.final
      ? prefix.length <= this.keys.chunkSize
      : prefix.length === this.keys.chunkSize;
    const size = RECORD_OVERHEAD + prefix.length;
    if (!full || this.position + size > this.end) throw corrupt('a chunk has an impossible length');
    const body = await readAt(this.handle, this.position + 5, size - 5, this.sealed);
    const plain = openRecord(this.keys, this.stream, this.index, prefix, body);
    this.position += size;
    this.index += 1;
    if (prefix.final) {
      this.done = true;
      if (this.position !== this.end) throw corrupt('there are bytes after a last chunk');
    }
    return plain;
  }
}

/** Plain records in order (a RecordReader, or the store's sealed files); undefined after the last. */
export interface PlainRecords {
  next(): Promise<Buffer | undefined>;
}

/**
 * The plain byte stream carried by records, read in exact or bounded amounts. `endsEarly` is the
 * error when the records end before a read is satisfied (the store names its own file in it).
 */
export class PlainReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(
    private readonly records: PlainRecords,
    private readonly endsEarly: () => Error = () => corrupt('its contents end inside an entry'),
  ) {}

  private async fill(): Promise<boolean> {
    while (this.buffer.length === 0) {
      const next = await this.records.next();
      if (next === undefined) return false;
      this.buffer = next;
    }
    return true;
  }

  /** Between 1 and `max` bytes. */
  async some(max: number): Promise<Buffer> {
    if (!(await this.fill())) throw this.endsEarly();
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
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }
}

/** The bytes of one file entry, segment by segment; its size and SHA-256 checked at its end. */
export class EntryBody {
  finished = false;
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private segmentLeft = 0;
  constructor(
    private readonly plain: PlainReader,
    readonly entry: ManifestEntry,
  ) {}

  /** The next piece of the file; undefined once it ended and matched the manifest. */
  async next(): Promise<Buffer | undefined> {
    if (this.finished) return undefined;
    if (this.segmentLeft === 0) {
      this.segmentLeft = (await this.plain.exact(4)).readUInt32BE(0);
      if (this.segmentLeft === 0) return this.end();
      if (this.segmentLeft > MAX_SEGMENT)
        throw corrupt(`${this.entry.path} has an impossible segment`);
      if (this.size + this.segmentLeft > this.entry.size) {
        throw corrupt(`${this.entry.path} is longer than its manifest says`);
      }
    }
    const piece = await this.plain.some(this.segmentLeft);
    this.segmentLeft -= piece.length;
    this.size += piece.length;
    this.hash.update(piece);
    return piece;
  }

  private end(): undefined {
    this.finished = true;
    if (this.size !== this.entry.size)
      throw corrupt(`${this.entry.path} is shorter than its manifest says`);
    if (this.hash.digest('hex') !== this.entry.sha256) {
      throw corrupt(`${this.entry.path} does not match its SHA-256`);
    }
    return undefined;
  }

  async drain(): Promise<void> {
    while ((await this.next()) !== undefined);
  }
}

/**
 * The framed entries of the data stream, each matched to the manifest entry at the same position:
 * an entry the manifest does not name, or a link or device, is `unsafe_entry`; any other mismatch
 * (kind, mode, order, count) is `corrupt`.
 */
export async function* framedEntries(
  plain: PlainReader,
  manifest: EntryTable,
): AsyncGenerator<{ entry: ManifestEntry; body: EntryBody | undefined }> {
  for (let index = 0; ; index += 1) {
    const tag = (await plain.exact(1)).readUInt8(0);
    if (tag === TAG_END) {
      if (index !== manifest.length) throw corrupt('it holds fewer entries than its manifest');
      if (!(await plain.atEnd())) throw corrupt('there are bytes after its last entry');
      return;
    }
    if (tag !== TAG_ENTRY) throw corrupt('an entry is malformed');
    const head = await plain.exact(7);
    const kind = head.readUInt8(0);
    const path = (await plain.exact(head.readUInt16BE(5))).toString('utf8');
    checkEntryKind(kind, path);
    const entry = manifest.at(index);
    if (entry?.path !== path && manifest.indexOf(path) < 0) {
      throw unsafe(path, 'not named in the manifest');
    }
    const sameKind = entry?.kind === (kind === KIND_FILE ? 'file' : 'dir');
    if (!entry || entry.path !== path || !sameKind || entry.mode !== head.readUInt32BE(1)) {
      throw corrupt(`entry ${path} does not match its manifest`);
    }
    const body = kind === KIND_FILE ? new EntryBody(plain, entry) : undefined;
    yield { entry, body };
    if (body && !body.finished) await body.drain();
  }
}
