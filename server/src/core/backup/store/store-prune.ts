/**
 * Deleting backups and freeing what no remaining backup uses (docs/backup-format.md, "Format 2:
 * prune"). Mark and sweep, recomputed from the disk every time, with no journal to trust:
 *
 *   1. the deleted backups' snapshots are removed (each removal is atomic);
 *   2. mark: every remaining snapshot is read; the pieces they name are live. One that cannot be
 *      read stops the prune before anything else is removed: what it needs is unknown;
 *   3. packs holding no live piece are to go; packs holding some dead bytes (more than the
 *      threshold) have their live pieces copied into new packs, each fsynced and renamed;
 *   4. a new index generation describing every pack that stays is written (fsync, rename);
 *   5. then, and only then, the emptied and the copied packs are removed, then the older index
 *      files.
 *
 * A kill at any point leaves every remaining backup restorable: a pack is removed only once each
 * live piece in it has a copy in a complete pack that stays, and the loader finds every piece of
 * every pack present (through an index that names its pack, or the pack's own table). What an
 * interrupted prune leaves is garbage: a partial pack in tmp/, a copied pack not removed yet, an
 * old index; the next prune computes it all again and finishes the job.
 */
import { join } from 'node:path';
import { AppError } from '../../app-error.js';
import { PackWriter, sealedSize, type PackInfo } from './pack.js';
import { PieceReader } from './piece-reader.js';
import { TABLE_ROW } from './piece-table.js';
import { readSnapshot } from './snapshot.js';
import { loadState, writeIndex, type PackRecord, type StoreState } from './store-index.js';
import {
  INDEX,
  PACKS,
  SNAPSHOTS,
  checkSnapshotName,
  cleanTmp,
  pathOf,
  type StoreContext,
} from './store-layout.js';
import { listSnapshots } from './store-verify.js';

export interface PruneOptions {
  /**
   * A pack whose dead bytes are more than this share of it is rewritten without them; below it, the
   * pack stays as it is (copying 16 MiB to free a few KiB is not worth it). 0 frees every dead byte.
   */
  repackThreshold?: number;
  onProgress?: (step: string) => void;
}

export interface PruneResult {
  /** Packs removed, and how many of them had live pieces copied out first. */
  removedPacks: number;
  repackedPacks: number;
  writtenPacks: number;
  /** Bytes on disk freed (packs removed less packs written). */
  freedBytes: number;
  /** Packs kept although they hold dead pieces, because a live piece in them is damaged. */
  keptDamaged: string[];
}

/** Removes the snapshots of `names` (each removal atomic); backups already gone are no error. */
export async function deleteSnapshots(ctx: StoreContext, names: readonly string[]): Promise<void> {
  for (const name of names) await ctx.files.remove(pathOf(ctx, SNAPSHOTS, checkSnapshotName(name)));
  if (names.length > 0) await ctx.files.syncFolder(join(ctx.root, SNAPSHOTS));
}

/** Every piece a remaining backup needs (ids as map keys); refuses when a manifest is unreadable. */
async function markLive(ctx: StoreContext): Promise<Set<string>> {
  const live = new Set<string>();
  for (const name of await listSnapshots(ctx)) {
    try {
      await readSnapshot(ctx, name, (_entry, ids) => {
        for (let at = 0; at < ids.length; at += 32) live.add(ids.toString('latin1', at, at + 32));
      });
    } catch (error) {
      throw new AppError(
        'corrupt',
        `Nothing was freed: the manifest of backup ${name} cannot be read, so what it needs is unknown. Delete that backup, then prune again.`,
        { backup: name },
        { cause: error },
      );
    }
  }
  return live;
}

interface PackPlan {
  pack: PackRecord;
  live: number;
  dead: number;
  /** Rows (numbers) of the live pieces whose copy in use is this one. */
  liveRows: number[];
}

function planPacks(state: StoreState, live: Set<string>): PackPlan[] {
  return state.packs.map((pack) => {
    const plan: PackPlan = { pack, live: 0, dead: 0, liveRows: [] };
    for (let number = 0; number * TABLE_ROW < pack.table.length; number += 1) {
      const row = number * TABLE_ROW;
      const key = pack.table.toString('latin1', row, row + 32);
      const size = sealedSize(pack.table.readUInt32BE(row + 40));
      const slot = state.table.slotOf(key);
      // A duplicate (the same piece in another pack, left by an interrupted prune) counts as dead
      // here: the copy the table points at is the one kept.
      if (slot !== undefined && live.has(key) && state.table.isAt(slot, pack.slot, number)) {
        plan.live += size;
        plan.liveRows.push(number);
      } else plan.dead += size;
    }
    return plan;
  });
}

/** Deletes nothing by itself: frees what no snapshot in the store needs. */
export async function prune(ctx: StoreContext, options: PruneOptions = {}): Promise<PruneResult> {
  const threshold = options.repackThreshold ?? 0.25;
  const say = options.onProgress ?? (() => undefined);
  await cleanTmp(ctx);
  say('Reading the store');
  const state = await loadState(ctx);
  say('Finding what the remaining backups need');
  const live = await markLive(ctx);
  const plans = planPacks(state, live);
  const empty = plans.filter((plan) => plan.live === 0);
  const partly = plans.filter(
    (plan) => plan.live > 0 && plan.dead > 0 && plan.dead > threshold * (plan.live + plan.dead),
  );
  const result: PruneResult = {
    removedPacks: 0,
    repackedPacks: 0,
    writtenPacks: 0,
    freedBytes: 0,
    keptDamaged: [],
  };
  const gone = new Set(empty.map((plan) => plan.pack.name));
  const writer = new PackWriter(ctx);
  if (partly.length > 0) {
    say(`Rewriting ${partly.length} pack(s) without their unused pieces`);
    const pieces = new PieceReader(ctx, state);
    try {
      for (const plan of partly) {
        if (await copyLive(plan, pieces, writer)) gone.add(plan.pack.name);
        else result.keptDamaged.push(plan.pack.name);
      }
      await writer.close();
    } catch (error) {
      await writer.abandon();
      throw error;
    } finally {
      await pieces.close();
    }
  }
  const staying: PackInfo[] = [
    ...state.packs.filter((pack) => !gone.has(pack.name)),
    ...writer.finished,
  ];
  const tidy = state.indexFiles.length <= 1 && state.unindexed === 0;
  if (gone.size === 0 && writer.finished.length === 0 && tidy) return result;
  say('Writing the new index');
  const index = await writeIndex(ctx, staying);
  say(`Removing ${gone.size} pack(s)`);
  for (const pack of state.packs) {
    if (!gone.has(pack.name)) continue;
    await ctx.files.remove(pathOf(ctx, PACKS, pack.name));
    result.freedBytes += pack.size;
  }
  if (gone.size > 0) await ctx.files.syncFolder(join(ctx.root, PACKS));
  for (const name of state.indexFiles) {
    if (name !== index) await ctx.files.remove(pathOf(ctx, INDEX, name));
  }
  await ctx.files.syncFolder(join(ctx.root, INDEX));
  result.removedPacks = gone.size;
  result.repackedPacks = partly.length - result.keptDamaged.length;
  result.writtenPacks = writer.finished.length;
  result.freedBytes -= writer.finished.reduce((sum, pack) => sum + pack.size, 0);
  return result;
}

/** Copies a pack's live pieces into new packs; false (nothing to remove) when one is damaged. */
async function copyLive(plan: PackPlan, pieces: PieceReader, writer: PackWriter): Promise<boolean> {
  const { table } = plan.pack;
  for (const number of plan.liveRows) {
    const key = table.toString('latin1', number * TABLE_ROW, number * TABLE_ROW + 32);
    let plain: Buffer;
    try {
      plain = await pieces.read(key);
    } catch (error) {
      if (error instanceof AppError && error.code === 'corrupt') return false;
      throw error;
    }
    await writer.add(Buffer.from(key, 'latin1'), plain);
  }
  return true;
}
