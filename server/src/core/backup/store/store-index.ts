/**
 * The index: which pieces each pack holds, so opening a store reads a few index files instead of
 * the end of every pack (on a NAS's disk, a seek each). It is a cache: every pack carries its own
 * table (pack.ts), and a pack no index names (one a crash left before its index was written, or one
 * a prune wrote) is read from its own table. An index line for a pack that is gone is ignored. So
 * adding an index file, or removing one whose packs another index or their own tables describe,
 * never changes which pieces the store holds: that is what lets prune replace the index
 * generation by generation without a journal.
 *
 * Index file plain bytes: per pack, name (16) | size (8) | count (4) | count × TABLE_ROW.
 */
import { join } from 'node:path';
import { MAX_PIECE } from './chunker.js';
import { listPacks, openPack, readPackTable, sealedSize, type PackInfo } from './pack.js';
import { PieceTable, TABLE_ROW } from './piece-table.js';
import { SealedFileReader, SealedFileWriter } from './sealed-file.js';
import { FILE_HEADER_SIZE, storeCorrupt } from './store-crypto.js';
import {
  INDEX,
  commitFile,
  isRandomName,
  partialOf,
  pathOf,
  randomName,
  type StoreContext,
} from './store-layout.js';

/** A pack of the store as loaded: its slot in the piece table, size and table rows. */
export interface PackRecord extends PackInfo {
  slot: number;
}

/** What the store holds right now, read from the disk. */
export interface StoreState {
  table: PieceTable;
  /** By slot. */
  packs: PackRecord[];
  /** The index files read (random names), to be replaced by a prune. */
  indexFiles: string[];
  /** Packs no index names (read from their own tables): a prune's next index covers them. */
  unindexed: number;
  /** Packs whose own table could not be read, and index files that could not: named, for verify. */
  problems: string[];
}

/** A pack never has more than this many pieces: a larger count in an index is damage. */
const MAX_ROWS = 1 << 20;

/** Every row of an index's pack: 1 byte to MAX_PIECE, back to back, within the pack's size. */
function rowsFit(pack: PackInfo): boolean {
  let expected = FILE_HEADER_SIZE;
  for (let row = 0; row < pack.table.length; row += TABLE_ROW) {
    const length = pack.table.readUInt32BE(row + 40);
    if (length === 0 || length > MAX_PIECE) return false;
    if (Number(pack.table.readBigUInt64BE(row + 32)) !== expected) return false;
    expected += sealedSize(length);
  }
  return expected <= pack.size;
}

async function readIndexFile(
  ctx: StoreContext,
  name: string,
  add: (pack: PackInfo) => void,
): Promise<void> {
  const what = `index ${name}`;
  const reader = await SealedFileReader.open(
    ctx.files,
    pathOf(ctx, INDEX, name),
    'index',
    ctx.keys,
    what,
  );
  try {
    while (!(await reader.atEnd())) {
      const head = await reader.exact(28);
      const count = head.readUInt32BE(24);
      if (count > MAX_ROWS) throw storeCorrupt(`${what} lists an impossible pack`);
      const pack = {
        name: head.toString('hex', 0, 16),
        size: Number(head.readBigUInt64BE(16)),
        table: Buffer.from(await reader.exact(count * TABLE_ROW)),
      };
      if (!rowsFit(pack)) throw storeCorrupt(`${what} describes pack ${pack.name} impossibly`);
      add(pack);
    }
  } finally {
    await reader.close();
  }
}

/** Reads the index files and the packs they do not cover: every piece the store holds. */
export async function loadState(ctx: StoreContext): Promise<StoreState> {
  const present = new Set(await listPacks(ctx));
  const table = new PieceTable();
  const packs: PackRecord[] = [];
  const loaded = new Set<string>();
  const problems: string[] = [];
  const add = (pack: PackInfo): void => {
    if (!present.has(pack.name) || loaded.has(pack.name)) return;
    loaded.add(pack.name);
    const slot = table.addPack(pack.name);
    packs.push({ ...pack, slot });
    table.addRows(slot, pack.table);
  };
  const indexFiles = (await ctx.files.list(join(ctx.root, INDEX))).filter(isRandomName).sort();
  for (const name of indexFiles) {
    // A damaged index is only a cache lost: the packs it named are read from their own tables.
    await readIndexFile(ctx, name, add).catch((error: unknown) =>
      problems.push(`index ${name}: ${(error as Error).message}`),
    );
  }
  let unindexed = 0;
  for (const name of present) {
    if (loaded.has(name)) continue;
    unindexed += 1;
    try {
      const pack = await openPack(ctx, name);
      try {
        add({ name, size: pack.file.size, table: await readPackTable(pack) });
      } finally {
        await pack.file.close();
      }
    } catch (error) {
      problems.push(`pack ${name}: ${(error as Error).message}`);
    }
  }
  return { table, packs, indexFiles, unindexed, problems };
}

/** Writes a new index file describing `packs`; returns its name. */
export async function writeIndex(ctx: StoreContext, packs: readonly PackInfo[]): Promise<string> {
  const name = randomName();
  const writer = await SealedFileWriter.create(
    ctx.files,
    partialOf(ctx, INDEX, name),
    'index',
    ctx.keys,
  );
  try {
    for (const pack of packs) {
      const head = Buffer.alloc(28);
      head.write(pack.name, 0, 16, 'hex');
      head.writeBigUInt64BE(BigInt(pack.size), 16);
      head.writeUInt32BE(pack.table.length / TABLE_ROW, 24);
      await writer.push(head);
      await writer.push(pack.table);
    }
    await writer.finish();
  } catch (error) {
    await writer.abandon();
    throw error;
  }
  await commitFile(ctx, INDEX, name);
  return name;
}
