/**
 * A snapshot: one backup's manifest in the store (docs/backup-format.md, "Format 2: snapshots").
 * Its plain bytes, sealed in a store file of kind `snapshot`:
 *
 *   head:    'H' | length (4) | JSON {"format":2,"createdAt":…,"meta":{…}}
 *   entry:   'E' | kind (1) | mode (4) | path length (2) | path | size (8)
 *            then for a file: SHA-256 (32) | piece count (4) | piece ids (32 each)
 *   summary: 'Z' | length (4) | JSON {"entries":…,"bytes":…,"addedPieces":…,"addedBytes":…}
 *
 * Written as the backup goes (never held whole); read as hostile input, each entry checked as it
 * arrives against the same rules as format 1's manifest (archive/framing.ts) and the caps.
 */
import { AppError } from '../../app-error.js';
import { EntryTable, type ManifestEntry } from '../archive/entry-table.js';
import type { ExtractLimits } from '../archive/format.js';
import {
  DEFAULT_LIMITS,
  KIND_DIR,
  KIND_FILE,
  checkEntryKind,
  depthOf,
  pathProblem,
  unsafe,
} from '../archive/framing.js';
import { SealedFileReader, SealedFileWriter } from './sealed-file.js';
import { STORE_FORMAT_VERSION, storeCorrupt } from './store-crypto.js';
import {
  SNAPSHOTS,
  checkSnapshotName,
  partialOf,
  pathOf,
  type StoreContext,
} from './store-layout.js';

const TAG_HEAD = 0x48;
const TAG_ENTRY = 0x45;
const TAG_SUMMARY = 0x5a;
const MAX_HEAD = 16 * 1024 * 1024;
const MAX_SUMMARY = 64 * 1024;
/** 32 MiB of ids: a file of at least 512 GiB with the writer's pieces. */
export const MAX_FILE_PIECES = 1 << 20;

/** What a backup recorded about its own writing, for the figures. */
export interface SnapshotSummary {
  entries: number;
  /** Plain bytes of all its files. */
  bytes: number;
  /** Pieces this backup stored that the store did not hold yet, and their bytes on disk. */
  addedPieces: number;
  addedBytes: number;
}

export interface SnapshotHead {
  format: number;
  createdAt: string;
  meta: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function framed(tag: number, json: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const head = Buffer.allocUnsafe(5);
  head.writeUInt8(tag, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export const encodeHead = (head: SnapshotHead): Buffer => framed(TAG_HEAD, head);
export const encodeSummary = (summary: SnapshotSummary): Buffer => framed(TAG_SUMMARY, summary);

/** One entry's bytes; `ids` is the file's piece ids back to back (empty for a folder). */
export function encodeEntry(entry: ManifestEntry, ids: Buffer): Buffer {
  const path = Buffer.from(entry.path, 'utf8');
  const file = entry.kind === 'file';
  const out = Buffer.allocUnsafe(16 + path.length + (file ? 36 + ids.length : 0));
  out.writeUInt8(TAG_ENTRY, 0);
  out.writeUInt8(file ? KIND_FILE : KIND_DIR, 1);
  out.writeUInt32BE(entry.mode, 2);
  out.writeUInt16BE(path.length, 6);
  path.copy(out, 8);
  let at = 8 + path.length;
  out.writeBigUInt64BE(BigInt(entry.size), at);
  at += 8;
  if (file) {
    out.write(entry.sha256, at, 32, 'hex');
    out.writeUInt32BE(ids.length / 32, at + 32);
    ids.copy(out, at + 36);
  }
  return out;
}

/** Writes a snapshot into tmp/; `commitFile(ctx, SNAPSHOTS, name)` makes it a backup. */
export class SnapshotWriter {
  private constructor(private readonly sealed: SealedFileWriter) {}

  static async create(
    ctx: StoreContext,
    name: string,
    head: SnapshotHead,
  ): Promise<SnapshotWriter> {
    const sealed = await SealedFileWriter.create(
      ctx.files,
      partialOf(ctx, SNAPSHOTS, name),
      'snapshot',
      ctx.keys,
    );
    const writer = new SnapshotWriter(sealed);
    await sealed.push(encodeHead(head));
    return writer;
  }

  /** Raw: the caller has checked the entry (the store's writer does; a test may not). */
  async entry(entry: ManifestEntry, ids: Buffer): Promise<void> {
    await this.sealed.push(encodeEntry(entry, ids));
  }

  async finish(summary: SnapshotSummary): Promise<number> {
    await this.sealed.push(encodeSummary(summary));
    await this.sealed.finish();
    return this.sealed.bytes;
  }

  async abandon(): Promise<void> {
    await this.sealed.abandon();
  }
}

function corruptSnapshot(name: string, why: string): AppError {
  return storeCorrupt(`the manifest of backup ${name} is malformed: ${why}`);
}

async function readJson(reader: SealedFileReader, name: string, max: number): Promise<unknown> {
  const length = (await reader.exact(4)).readUInt32BE(0);
  if (length > max) throw corruptSnapshot(name, 'a part of it is too large');
  try {
    return JSON.parse((await reader.exact(length)).toString('utf8')) as unknown;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw corruptSnapshot(name, 'a part of it is not JSON');
  }
}

function parseHead(raw: unknown, name: string): SnapshotHead {
  if (!isRecord(raw) || raw.format !== STORE_FORMAT_VERSION || typeof raw.createdAt !== 'string') {
    throw corruptSnapshot(name, 'its head has no format or date');
  }
  if (!isRecord(raw.meta)) throw corruptSnapshot(name, 'its metadata is not an object');
  return { format: raw.format, createdAt: raw.createdAt, meta: raw.meta };
}

function parseSummary(raw: unknown, name: string): SnapshotSummary {
  const count = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (
    !isRecord(raw) ||
    !count(raw.entries) ||
    !count(raw.bytes) ||
    !count(raw.addedPieces) ||
    !count(raw.addedBytes)
  ) {
    throw corruptSnapshot(name, 'its summary is malformed');
  }
  return {
    entries: raw.entries,
    bytes: raw.bytes,
    addedPieces: raw.addedPieces,
    addedBytes: raw.addedBytes,
  };
}

/** One entry read back, checked; `ids` are its piece ids back to back. */
async function readEntry(
  reader: SealedFileReader,
  name: string,
  limits: ExtractLimits,
): Promise<{ entry: ManifestEntry; ids: Buffer }> {
  const head = await reader.exact(7);
  const kind = head.readUInt8(0);
  const mode = head.readUInt32BE(1);
  const path = (await reader.exact(head.readUInt16BE(5))).toString('utf8');
  checkEntryKind(kind, path);
  const problem = pathProblem(path);
  if (problem) throw unsafe(path, problem);
  if (depthOf(path) > limits.maxDepth) throw unsafe(path, `deeper than ${limits.maxDepth} folders`);
  if (mode > 0o7777) throw corruptSnapshot(name, `${path} has an impossible mode`);
  const size = Number((await reader.exact(8)).readBigUInt64BE(0));
  if (!Number.isSafeInteger(size) || size > limits.maxTotalBytes) {
    throw unsafe(path, `a size of ${size} bytes, more than the ${limits.maxTotalBytes} allowed`);
  }
  if (kind === KIND_DIR) {
    if (size !== 0) throw corruptSnapshot(name, `folder ${path} has a size`);
    return { entry: { path, kind: 'dir', size: 0, sha256: '', mode }, ids: Buffer.alloc(0) };
  }
  const sha256 = (await reader.exact(32)).toString('hex');
  const count = (await reader.exact(4)).readUInt32BE(0);
  if (count > MAX_FILE_PIECES || count > size || (size > 0 && count === 0)) {
    throw corruptSnapshot(name, `${path} has an impossible number of pieces (${count})`);
  }
  const ids = count === 0 ? Buffer.alloc(0) : Buffer.from(await reader.exact(count * 32));
  return { entry: { path, kind: 'file', size, sha256, mode }, ids };
}

/**
 * A snapshot read back as hostile input: `open` reads and checks its head, `next` each entry in
 * order (paths, kinds, modes, sizes, caps, duplicates checked before it is handed on), and after
 * the last one its summary, which must match what was read.
 */
export class SnapshotReader {
  /** The compact table of the entries read so far (for duplicates, and for the caller). */
  readonly entries = new EntryTable();
  summary: SnapshotSummary | undefined;

  private constructor(
    private readonly reader: SealedFileReader,
    readonly name: string,
    readonly head: SnapshotHead,
    private readonly limits: ExtractLimits,
  ) {}

  static async open(
    ctx: StoreContext,
    name: string,
    limits: ExtractLimits = DEFAULT_LIMITS,
  ): Promise<SnapshotReader> {
    const reader = await SealedFileReader.open(
      ctx.files,
      pathOf(ctx, SNAPSHOTS, checkSnapshotName(name)),
      'snapshot',
      ctx.keys,
      `backup ${name}`,
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new AppError('not_found', `There is no backup ${name} in the backup store.`);
      }
      throw error;
    });
    try {
      if ((await reader.exact(1)).readUInt8(0) !== TAG_HEAD) throw corruptSnapshot(name, 'no head');
      const head = parseHead(await readJson(reader, name, MAX_HEAD), name);
      return new SnapshotReader(reader, name, head, limits);
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  /** The snapshot file's size on disk. */
  get size(): number {
    return this.reader.size;
  }

  /** The next entry and its piece ids (32 bytes each), or undefined after the last. */
  async next(): Promise<{ entry: ManifestEntry; ids: Buffer } | undefined> {
    if (this.summary) return undefined;
    const { reader, name, limits, entries } = this;
    const tag = (await reader.exact(1)).readUInt8(0);
    if (tag === TAG_SUMMARY) {
      const summary = parseSummary(await readJson(reader, name, MAX_SUMMARY), name);
      if (!(await reader.atEnd())) throw corruptSnapshot(name, 'bytes after its summary');
      if (summary.entries !== entries.length || summary.bytes !== entries.totalBytes) {
        throw corruptSnapshot(name, 'its summary does not match its entries');
      }
      this.summary = summary;
      return undefined;
    }
    if (tag !== TAG_ENTRY) throw corruptSnapshot(name, 'an entry is malformed');
    const read = await readEntry(reader, name, limits);
    if (entries.indexOf(read.entry.path) >= 0) throw unsafe(read.entry.path, 'listed twice');
    entries.push(read.entry);
    if (entries.length > limits.maxEntries) {
      throw unsafe('', `more than the ${limits.maxEntries} entries allowed`);
    }
    if (entries.totalBytes > limits.maxTotalBytes) {
      throw unsafe('', `more than the ${limits.maxTotalBytes} bytes allowed in all`);
    }
    return read;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}

/** Reads all of snapshot `name`, handing each checked entry to `onEntry` in order. */
export async function readSnapshot(
  ctx: StoreContext,
  name: string,
  onEntry: (entry: ManifestEntry, ids: Buffer) => Promise<void> | void,
  limits: ExtractLimits = DEFAULT_LIMITS,
): Promise<{ head: SnapshotHead; summary: SnapshotSummary; entries: EntryTable; size: number }> {
  const reader = await SnapshotReader.open(ctx, name, limits);
  try {
    for (let read = await reader.next(); read; read = await reader.next()) {
      await onEntry(read.entry, read.ids);
    }
    const { head, summary, entries, size } = reader;
    return { head, summary: summary as SnapshotSummary, entries, size };
  } finally {
    await reader.close();
  }
}
