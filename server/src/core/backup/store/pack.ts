/**
 * Packs: the files that hold pieces (docs/backup-format.md, "Format 2: packs"). Thousands of small
 * uploads become a few files of ~16 MiB instead of a file each; every piece is one sealed record
 * under the pack's own key, and the pack ends with a sealed table of its pieces, so a pack
 * describes itself and the index can always be rebuilt from the packs alone.
 *
 *   0       48   header (MNBSPACK, version 2, flags 0, 0, salt)
 *   48      ...  piece n: flags (final) | length (4) | ciphertext | tag; nonce = (0, n)
 *   T       ...  table: one sealed record, nonce = (2, 0): count (4) | rows of id | offset | length
 *   size-16 16   T (8) | "MNBSPEND"
 */
import { join } from 'node:path';
import type { ArchiveKeys } from '../archive/crypto.js';
import { RECORD_OVERHEAD, openRecord, sealRecordParts } from '../archive/crypto.js';
import { MAX_PIECE } from './chunker.js';
import { TABLE_ROW } from './piece-table.js';
import type { StoreFileReader, StoreFileWriter } from './store-files.js';
import {
  FILE_HEADER_SIZE,
  checkFileHeader,
  fileKeys,
  makeFileHeader,
  prefixOf,
  storeCorrupt,
} from './store-crypto.js';
import {
  PACKS,
  commitFile,
  partialOf,
  pathOf,
  randomName,
  type StoreContext,
} from './store-layout.js';

const STREAM_PIECE = 0;
const STREAM_TABLE = 2;
const END = Buffer.from('MNBSPEND', 'ascii');
const TRAILER = 16;
/** A pack is closed once it holds this much (or this many pieces). */
export const PACK_TARGET = 16 * 1024 * 1024;
const PACK_MAX_PIECES = 65_536;
/** Sealed bytes gathered before one write to the disk. */
const WRITE_BATCH = 4 * 1024 * 1024;

/** A finished pack: its name, size on disk and table rows (count × TABLE_ROW bytes). */
export interface PackInfo {
  name: string;
  size: number;
  table: Buffer;
}

/** The bytes a piece of `length` plain bytes takes in its pack. */
export const sealedSize = (length: number): number => RECORD_OVERHEAD + length;

class OpenPack {
  readonly rows: Buffer[] = [];
  size = FILE_HEADER_SIZE;
  private queued: Buffer[] = [];
  private queuedBytes = 0;

  constructor(
    readonly name: string,
    readonly file: StoreFileWriter,
    readonly keys: ArchiveKeys,
    head: Buffer,
  ) {
    this.queued.push(head);
    this.queuedBytes = head.length;
  }

  async append(parts: Buffer[]): Promise<void> {
    for (const part of parts) {
      this.queued.push(part);
      this.queuedBytes += part.length;
      this.size += part.length;
    }
    if (this.queuedBytes >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const parts = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    await this.file.write(parts);
  }
}

/**
 * Appends pieces to packs written in tmp/, each renamed into packs/ once complete and fsynced: a
 * pack in packs/ is always whole. The caller decides what to add (dedup happens before).
 */
export class PackWriter {
  private current: OpenPack | undefined;
  /** The packs finished so far, in order. */
  readonly finished: PackInfo[] = [];

  constructor(
    private readonly ctx: StoreContext,
    private readonly onFinished?: (pack: PackInfo) => void,
  ) {}

  /** Seals `plain` as the next piece; returns the bytes it takes on disk. */
  async add(id: Buffer, plain: Buffer): Promise<number> {
    const pack = this.current ?? (await this.start());
    const number = pack.rows.length;
    const row = Buffer.allocUnsafe(TABLE_ROW);
    id.copy(row, 0);
    row.writeBigUInt64BE(BigInt(pack.size), 32);
    row.writeUInt32BE(plain.length, 40);
    pack.rows.push(row);
    await pack.append(sealRecordParts(pack.keys, STREAM_PIECE, number, true, plain));
    if (pack.size >= PACK_TARGET || pack.rows.length >= PACK_MAX_PIECES) await this.close();
    return sealedSize(plain.length);
  }

  /** Finishes the pack being written, if any. */
  async close(): Promise<void> {
    const pack = this.current;
    if (!pack) return;
    this.current = undefined;
    const rows = Buffer.concat(pack.rows);
    const plain = Buffer.allocUnsafe(4 + rows.length);
    plain.writeUInt32BE(pack.rows.length, 0);
    rows.copy(plain, 4);
    const tableAt = pack.size;
    const trailer = Buffer.allocUnsafe(TRAILER);
    trailer.writeBigUInt64BE(BigInt(tableAt), 0);
    END.copy(trailer, 8);
    await pack.append([...sealRecordParts(pack.keys, STREAM_TABLE, 0, true, plain), trailer]);
    await pack.flush();
    await pack.file.sync();
    await pack.file.close();
    await commitFile(this.ctx, PACKS, pack.name);
    const info = { name: pack.name, size: pack.size, table: rows };
    this.finished.push(info);
    this.onFinished?.(info);
  }

  /** After a failure: the partial pack's handle closed; tmp/ is cleaned at the next start. */
  async abandon(): Promise<void> {
    await this.current?.file.close().catch(() => undefined);
    this.current = undefined;
  }

  private async start(): Promise<OpenPack> {
    const name = randomName();
    const head = makeFileHeader('pack', 0);
    const file = await this.ctx.files.create(partialOf(this.ctx, PACKS, name), 0o600);
    this.current = new OpenPack(name, file, fileKeys(this.ctx.keys, 'pack', head), head);
    return this.current;
  }
}

/** A pack opened for reading pieces: its handle and key. */
export interface PackHandle {
  name: string;
  file: StoreFileReader;
  keys: ArchiveKeys;
}

export async function openPack(ctx: StoreContext, name: string): Promise<PackHandle> {
  const file = await ctx.files.open(pathOf(ctx, PACKS, name));
  try {
    const head = await file.read(0, FILE_HEADER_SIZE);
    checkFileHeader('pack', head, `pack ${name}`);
    return { name, file, keys: fileKeys(ctx.keys, 'pack', head) };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * A pack's own table, checked against its layout: pieces back to back from the header to the
 * table, each of 1 to MAX_PIECE bytes. Returns the rows (count × TABLE_ROW bytes).
 */
export async function readPackTable(pack: PackHandle): Promise<Buffer> {
  const { file, name } = pack;
  if (file.size < FILE_HEADER_SIZE + RECORD_OVERHEAD + 4 + TRAILER) {
    throw storeCorrupt(`pack ${name} is cut short`);
  }
  const trailer = await file.read(file.size - TRAILER, TRAILER);
  if (!trailer.subarray(8).equals(END)) throw storeCorrupt(`pack ${name} has lost its end`);
  const tableAt = Number(trailer.readBigUInt64BE(0));
  const tableEnd = file.size - TRAILER;
  if (tableAt < FILE_HEADER_SIZE || tableAt + RECORD_OVERHEAD + 4 > tableEnd) {
    throw storeCorrupt(`pack ${name} has an impossible table position`);
  }
  const prefix = prefixOf(await file.read(tableAt, 5), `the table of pack ${name}`);
  if (!prefix.final || tableAt + RECORD_OVERHEAD + prefix.length !== tableEnd) {
    throw storeCorrupt(`pack ${name} has a table of impossible length`);
  }
  const body = await file.read(tableAt + 5, prefix.length + 16);
  let plain: Buffer;
  try {
    plain = openRecord(pack.keys, STREAM_TABLE, 0, prefix, body);
  } catch (error) {
    throw storeCorrupt(`the table of pack ${name} fails its authentication tag`, error);
  }
  const count = plain.readUInt32BE(0);
  const rows = plain.subarray(4);
  if (rows.length !== count * TABLE_ROW)
    throw storeCorrupt(`the table of pack ${name} is malformed`);
  let expected = FILE_HEADER_SIZE;
  for (let row = 0; row < rows.length; row += TABLE_ROW) {
    const length = rows.readUInt32BE(row + 40);
    const offset = Number(rows.readBigUInt64BE(row + 32));
    if (offset !== expected || length === 0 || length > MAX_PIECE) {
      throw storeCorrupt(`the table of pack ${name} does not match its pieces`);
    }
    expected += sealedSize(length);
  }
  if (expected !== tableAt)
    throw storeCorrupt(`the table of pack ${name} does not match its pieces`);
  return Buffer.from(rows);
}

/**
 * One piece's plain bytes from its sealed bytes (`sealedSize(length)` of them, read at its offset),
 * authenticated; the id is checked by the caller, who knows it.
 */
export function openPiece(
  pack: PackHandle,
  number: number,
  length: number,
  sealed: Buffer,
): Buffer {
  if (sealed.length !== sealedSize(length)) throw storeCorrupt(`pack ${pack.name} is cut short`);
  const prefix = prefixOf(sealed.subarray(0, 5), `piece ${number} of pack ${pack.name}`);
  if (!prefix.final || prefix.length !== length) {
    throw storeCorrupt(`piece ${number} of pack ${pack.name} has the wrong length`);
  }
  try {
    return openRecord(pack.keys, STREAM_PIECE, number, prefix, sealed.subarray(5));
  } catch (error) {
    throw storeCorrupt(`piece ${number} of pack ${pack.name} fails its authentication tag`, error);
  }
}

/** Every pack name in packs/ (random names only: nothing else there is ours). */
export async function listPacks(ctx: StoreContext): Promise<string[]> {
  const names = await ctx.files.list(join(ctx.root, PACKS));
  return names.filter((name) => /^[0-9a-f]{32}$/.test(name)).sort();
}
