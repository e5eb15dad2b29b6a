/**
 * The figures a user sees (issue 19): per backup, the space it needs in all (its manifest and every
 * piece it uses, shared or not), the space only it uses (what deleting it would free) and what it
 * added when it was written; for the store, the space everything takes. One pass over the
 * manifests, with a few bytes per piece of bookkeeping (no per-backup sets).
 */
import { join } from 'node:path';
import { sealedSize } from './pack.js';
import { TABLE_ROW } from './piece-table.js';
import { readSnapshot } from './snapshot.js';
import type { StoreState } from './store-index.js';
import { INDEX, isRandomName, pathOf, type StoreContext } from './store-layout.js';
import { listSnapshots } from './store-verify.js';

export interface BackupFigures {
  name: string;
  createdAt: string;
  files: number;
  /** The plain size of its files. */
  plainBytes: number;
  /** Bytes on disk it needs: its manifest and every piece it uses, shared or not. */
  totalBytes: number;
  /** Bytes on disk only it uses: what deleting it (and a prune) frees. */
  ownBytes: number;
  /** Bytes on disk it added when it was written (pieces the store did not hold yet). */
  addedBytes: number;
  /** Pieces it names that the store does not hold (a damaged store); 0 when whole. */
  missingPieces: number;
}

export interface StoreFigures {
  backups: BackupFigures[];
  /** Everything the store takes on disk: packs, manifests and index. */
  storedBytes: number;
  /** Bytes of pieces in packs that no backup uses (the next prune frees most of them). */
  unusedBytes: number;
  /** Backups whose manifest cannot be read (counted nowhere). */
  unreadableBackups: string[];
}

async function fileSize(ctx: StoreContext, path: string): Promise<number> {
  const file = await ctx.files.open(path);
  try {
    return file.size;
  } finally {
    await file.close();
  }
}

export async function storeFigures(ctx: StoreContext, state: StoreState): Promise<StoreFigures> {
  const { table } = state;
  const slots = table.size;
  /**
   * Per piece: the last backup (its number + 1) that used it, how many did, and the sum of their
   * numbers, which names the one user when there is only one.
   */
  const lastSeen = new Uint32Array(slots);
  const users = new Uint32Array(slots);
  const userSum = new Float64Array(slots);
  const byNumber = new Map<number, BackupFigures>();
  const unreadable: string[] = [];
  let storedBytes = 0;
  for (const [b, name] of (await listSnapshots(ctx)).entries()) {
    const figures: BackupFigures = {
      name,
      createdAt: '',
      files: 0,
      plainBytes: 0,
      totalBytes: 0,
      ownBytes: 0,
      addedBytes: 0,
      missingPieces: 0,
    };
    try {
      const read = await readSnapshot(ctx, name, (entry, ids) => {
        if (entry.kind === 'file') figures.files += 1;
        for (let at = 0; at < ids.length; at += 32) {
          const slot = table.slotOf(ids.toString('latin1', at, at + 32));
          if (slot === undefined) {
            figures.missingPieces += 1;
            continue;
          }
          if (lastSeen[slot] === b + 1) continue;
          lastSeen[slot] = b + 1;
          figures.totalBytes += sealedSize(table.lengthAt(slot));
          users[slot] = users[slot]! + 1;
          userSum[slot] = userSum[slot]! + b;
        }
      });
      figures.createdAt = read.head.createdAt;
      figures.plainBytes = read.summary.bytes;
      figures.addedBytes = read.summary.addedBytes;
      figures.totalBytes += read.size;
      figures.ownBytes = read.size;
      storedBytes += read.size;
      byNumber.set(b, figures);
    } catch {
      unreadable.push(name);
      // The pieces counted before it failed are not its: take them back.
      for (let slot = 0; slot < slots; slot += 1) {
        if (lastSeen[slot] !== b + 1) continue;
        users[slot] = users[slot]! - 1;
        userSum[slot] = userSum[slot]! - b;
      }
    }
  }
  let usedBytes = 0;
  for (let slot = 0; slot < slots; slot += 1) {
    if (users[slot] === 0) continue;
    const size = sealedSize(table.lengthAt(slot));
    usedBytes += size;
    const only = users[slot] === 1 ? byNumber.get(userSum[slot]!) : undefined;
    if (only) only.ownBytes += size;
  }
  let pieceBytes = 0;
  for (const pack of state.packs) {
    storedBytes += pack.size;
    for (let row = 0; row < pack.table.length; row += TABLE_ROW) {
      pieceBytes += sealedSize(pack.table.readUInt32BE(row + 40));
    }
  }
  for (const name of (await ctx.files.list(join(ctx.root, INDEX))).filter(isRandomName)) {
    storedBytes += await fileSize(ctx, pathOf(ctx, INDEX, name)).catch(() => 0);
  }
  const backups = [...byNumber.values()];
  return {
    backups,
    storedBytes,
    unusedBytes: pieceBytes - usedBytes,
    unreadableBackups: unreadable,
  };
}
