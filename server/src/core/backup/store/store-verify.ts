/**
 * Verifying one backup of the store: its manifest (authenticated, every rule) and every piece it
 * needs, shared or not, read from its pack, authenticated and its id recomputed; each piece once
 * however many files use it. A damaged or missing piece does not stop the check: it is recorded
 * with the files that need it, and then every other backup that needs it is found by name, since
 * a piece shared by ten backups damages all ten.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../app-error.js';
import { PieceReader } from './piece-reader.js';
import { shortId } from './piece-table.js';
import { readSnapshot } from './snapshot.js';
import { fileStream } from './store-read.js';
import type { StoreState } from './store-index.js';
import { SNAPSHOTS, isSnapshotName, type StoreContext } from './store-layout.js';

/** Files named per damaged piece, at most (a piece of an empty-file-heavy tree may have many). */
const FILES_NAMED = 20;

export interface DamagedPiece {
  /** The first 12 hex digits of its id (a keyed MAC: it tells nothing about the content). */
  piece: string;
  problem: string;
  /** The files of this backup that need it (at most 20). */
  files: string[];
}

export interface BackupVerification {
  name: string;
  ok: boolean;
  files: number;
  /** Distinct pieces checked, and their plain bytes. */
  pieces: number;
  bytes: number;
  damaged: DamagedPiece[];
  /** Every backup in the store that needs a damaged piece, this one included, by name. */
  affectedBackups: string[];
  /** Backups whose manifest could not be read while looking for them. */
  unreadableBackups: string[];
}

export interface VerifyOptions {
  onProgress?: (progress: { path: string; bytes: number }) => void;
  /** A file named here is also given whole to its consumer (a dump to `pg_restore -l`). */
  consume?: Record<string, (stream: Readable) => Promise<void>>;
}

/** The backups in the store, by name (sorted: names carry their time). */
export async function listSnapshots(ctx: StoreContext): Promise<string[]> {
  return (await ctx.files.list(join(ctx.root, SNAPSHOTS))).filter(isSnapshotName).sort();
}

/** Which backups need any of `pieces` (ids as map keys); unreadable manifests named apart. */
export async function backupsUsing(
  ctx: StoreContext,
  pieces: ReadonlySet<string>,
): Promise<{ using: string[]; unreadable: string[] }> {
  const using: string[] = [];
  const unreadable: string[] = [];
  for (const name of await listSnapshots(ctx)) {
    let uses = false;
    try {
      await readSnapshot(ctx, name, (_entry, ids) => {
        for (let at = 0; !uses && at < ids.length; at += 32) {
          uses = pieces.has(ids.toString('latin1', at, at + 32));
        }
      });
    } catch {
      unreadable.push(name);
      continue;
    }
    if (uses) using.push(name);
  }
  return { using, unreadable };
}

export async function verifyBackup(
  ctx: StoreContext,
  state: StoreState,
  name: string,
  options: VerifyOptions = {},
): Promise<BackupVerification> {
  const pieces = new PieceReader(ctx, state);
  const checked = new Set<string>();
  const damaged = new Map<string, DamagedPiece>();
  const consumed: Array<{ path: string; ids: Buffer; entry: Parameters<typeof fileStream>[1] }> =
    [];
  let bytes = 0;
  let files = 0;
  try {
    await readSnapshot(ctx, name, async (entry, ids) => {
      if (entry.kind !== 'file') return;
      files += 1;
      options.onProgress?.({ path: entry.path, bytes });
      let whole = true;
      for (let at = 0; at < ids.length; at += 32) {
        const key = ids.toString('latin1', at, at + 32);
        const known = damaged.get(key);
        if (known) {
          whole = false;
          if (known.files.length < FILES_NAMED && !known.files.includes(entry.path)) {
            known.files.push(entry.path);
          }
          continue;
        }
        if (checked.has(key)) continue;
        checked.add(key);
        try {
          bytes += (await pieces.read(key)).length;
          options.onProgress?.({ path: entry.path, bytes });
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== 'corrupt') throw error;
          whole = false;
          damaged.set(key, { piece: shortId(key), problem: error.message, files: [entry.path] });
        }
      }
      if (whole && options.consume?.[entry.path]) consumed.push({ path: entry.path, ids, entry });
    });
    for (const { path, ids, entry } of consumed) {
      const consumer = options.consume?.[path];
      const stream = fileStream(pieces, entry, ids);
      await consumer?.(stream);
      for await (const piece of stream) void piece;
    }
  } finally {
    await pieces.close();
  }
  const found = damaged.size > 0 ? await backupsUsing(ctx, new Set(damaged.keys())) : undefined;
  const affected = found?.using ?? [];
  return {
    name,
    ok: damaged.size === 0,
    files,
    pieces: checked.size,
    bytes,
    damaged: [...damaged.values()],
    affectedBackups: affected.includes(name) || damaged.size === 0 ? affected : [name, ...affected],
    unreadableBackups: found?.unreadable ?? [],
  };
}

/** The result of `verifyBackup` as an error a user reads, when anything is damaged. */
export function assertVerified(result: BackupVerification): void {
  if (result.ok) return;
  const files = [...new Set(result.damaged.flatMap((piece) => piece.files))];
  throw new AppError(
    'corrupt',
    `The backup ${result.name} is damaged: ${result.damaged.length} piece(s) of the backup store fail their check (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}). Backups that need them: ${result.affectedBackups.join(', ')}.`,
    { affectedBackups: result.affectedBackups, damagedPieces: result.damaged.map((d) => d.piece) },
  );
}
