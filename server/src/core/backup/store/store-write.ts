/**
 * Writing a backup into the store: each file cut into pieces (chunker.ts), each piece named by its
 * keyed MAC and stored only when the store does not hold it yet, so an unchanged, renamed or copied
 * file costs a few bytes of manifest. The order makes a crash harmless at any point:
 *
 *   packs (tmp/, fsync, rename into packs/) -> an index of the new packs -> the snapshot (tmp/,
 *   fsync, rename into snapshots/): the rename of the snapshot is the commit.
 *
 * Before it, the backup does not exist and what it wrote is unreferenced: the next write reuses
 * those pieces, the next prune removes the rest. Nothing a finished backup needs is ever touched.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../../app-error.js';
import { EntryTable, type ManifestEntry } from '../archive/entry-table.js';
import { ioError } from '../archive/files.js';
import type { ArchiveProgress, EntrySource, Manifest } from '../archive/format.js';
import { MODE_MASK, pathProblem, unsafe } from '../archive/framing.js';
import { cancelled, toBuffer } from '../archive/writer.js';
import { Chunker, MIN_PIECE, type ChunkerOptions } from './chunker.js';
import { PackWriter } from './pack.js';
import { idKey } from './piece-table.js';
import { SnapshotWriter, type SnapshotSummary } from './snapshot.js';
import { STORE_FORMAT_VERSION, pieceId } from './store-crypto.js';
import type { StoreState } from './store-index.js';
import { writeIndex } from './store-index.js';
import {
  SNAPSHOTS,
  checkSnapshotName,
  cleanTmp,
  commitFile,
  pathOf,
  type StoreContext,
} from './store-layout.js';

export interface WriteOptions {
  onProgress?: (progress: ArchiveProgress) => void;
  signal?: AbortSignal;
  now?: () => Date;
  /** Smaller pieces for tests; the defaults otherwise. */
  chunker?: ChunkerOptions;
}

export interface WrittenBackup {
  name: string;
  /** As format 1's writer returns it: entries with sizes and SHA-256, and the meta. */
  manifest: Manifest;
  summary: SnapshotSummary;
  /** The snapshot file's size (the pieces are counted in `summary.addedBytes`). */
  snapshotBytes: number;
}

class BackupWriting {
  readonly entries = new EntryTable();
  readonly summary: SnapshotSummary = { entries: 0, bytes: 0, addedPieces: 0, addedBytes: 0 };
  /** Pieces added by this backup, in a pack not finished yet (not in the table until then). */
  private readonly pending = new Set<string>();
  private readonly chunker: Chunker;
  current: Readable | undefined;

  constructor(
    private readonly ctx: StoreContext,
    private readonly state: StoreState,
    readonly packs: PackWriter,
    private readonly options: WriteOptions,
  ) {
    this.chunker = new Chunker(ctx.keys.gear, options.chunker);
  }

  /** One file's pieces: ids back to back, the new ones stored. */
  async file(source: Extract<EntrySource, { kind: 'file' }>): Promise<{
    entry: ManifestEntry;
    ids: Buffer;
  }> {
    const ids: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    const emit = async (piece: Buffer): Promise<void> => {
      const id = pieceId(this.ctx.keys, piece);
      ids.push(id);
      const key = idKey(id);
      if (this.state.table.slotOf(key) !== undefined || this.pending.has(key)) return;
      this.pending.add(key);
      this.summary.addedBytes += await this.packs.add(id, piece);
      this.summary.addedPieces += 1;
    };
    const take = async (buffer: Buffer): Promise<void> => {
      hash.update(buffer);
      size += buffer.length;
      this.summary.bytes += buffer.length;
      this.options.onProgress?.({ path: source.path, bytes: this.summary.bytes });
    };
    const body = await source.open();
    if (Buffer.isBuffer(body) && body.length <= (this.options.chunker?.min ?? MIN_PIECE)) {
      // A small file read ahead is one piece: no copy through the chunker.
      await take(body);
      if (body.length > 0) await emit(body);
    } else {
      this.current = Buffer.isBuffer(body) ? undefined : body;
      try {
        for await (const piece of Buffer.isBuffer(body) ? [body] : body) {
          const { signal } = this.options;
          if (signal?.aborted) throw cancelled(signal);
          const buffer = toBuffer(piece);
          await take(buffer);
          await this.chunker.push(buffer, emit);
        }
        await this.chunker.finish(emit);
      } finally {
        this.current?.destroy();
        this.current = undefined;
      }
    }
    const entry: ManifestEntry = {
      path: source.path,
      kind: 'file',
      size,
      sha256: hash.digest('hex'),
      mode: (source.mode ?? 0o644) & MODE_MASK,
    };
    return { entry, ids: Buffer.concat(ids) };
  }
}

/** Writes backup `name` from `sources`; resolves once it is committed (its snapshot renamed). */
export async function writeBackup(
  ctx: StoreContext,
  state: StoreState,
  name: string,
  sources: AsyncIterable<EntrySource> | Iterable<EntrySource>,
  meta: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<WrittenBackup> {
  checkSnapshotName(name);
  if ((await ctx.files.kind(pathOf(ctx, SNAPSHOTS, name))) !== undefined) {
    throw new AppError('conflict', `A backup named ${name} already exists in the backup store.`);
  }
  await cleanTmp(ctx);
  const { signal } = options;
  const createdAt = (options.now ?? (() => new Date()))().toISOString();
  const packs = new PackWriter(ctx, (pack) => {
    const slot = state.table.addPack(pack.name);
    state.packs.push({ ...pack, slot });
    state.table.addRows(slot, pack.table);
  });
  const writing = new BackupWriting(ctx, state, packs, options);
  const onAbort = (): void => {
    writing.current?.destroy(cancelled(signal as AbortSignal));
  };
  signal?.addEventListener('abort', onAbort);
  let snapshot: SnapshotWriter | undefined;
  try {
    if (signal?.aborted) throw cancelled(signal);
    snapshot = await SnapshotWriter.create(ctx, name, {
      format: STORE_FORMAT_VERSION,
      createdAt,
      meta,
    });
    const { entries, summary } = writing;
    for await (const source of sources) {
      if (signal?.aborted) throw cancelled(signal);
      const problem = pathProblem(source.path);
      if (problem) throw unsafe(source.path, problem);
      if (entries.indexOf(source.path) >= 0) throw unsafe(source.path, 'listed twice');
      options.onProgress?.({ path: source.path, bytes: summary.bytes });
      const { entry, ids } =
        source.kind === 'file'
          ? await writing.file(source)
          : {
              entry: {
                path: source.path,
                kind: 'dir' as const,
                size: 0,
                sha256: '',
                mode: (source.mode ?? 0o755) & MODE_MASK,
              },
              ids: Buffer.alloc(0),
            };
      entries.push(entry);
      summary.entries += 1;
      await snapshot.entry(entry, ids);
    }
    await packs.close();
    if (packs.finished.length > 0) state.indexFiles.push(await writeIndex(ctx, packs.finished));
    if (signal?.aborted) throw cancelled(signal);
    const snapshotBytes = await snapshot.finish(summary);
    await commitFile(ctx, SNAPSHOTS, name);
    return {
      name,
      manifest: { format: STORE_FORMAT_VERSION, createdAt, entries, meta },
      summary,
      snapshotBytes,
    };
  } catch (error) {
    await packs.abandon();
    await snapshot?.abandon();
    throw ioError(error, 'Writing the backup');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
