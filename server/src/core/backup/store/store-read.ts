/**
 * Reading a backup out of the store: its manifest checked whole before anything is used (the
 * snapshot's rules, plus every piece it names held by the store and adding up to each file's
 * size), then its files streamed piece by piece, each piece authenticated and each file's SHA-256
 * checked at its end (extraction into staging: store-extract.ts).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../../app-error.js';
import type { ManifestEntry } from '../archive/entry-table.js';
import type { ExtractLimits, Manifest } from '../archive/format.js';
import { DEFAULT_LIMITS } from '../archive/framing.js';
import { PieceReader } from './piece-reader.js';
import { SnapshotReader, readSnapshot } from './snapshot.js';
import { storeCorrupt } from './store-crypto.js';
import type { StoreState } from './store-index.js';
import type { StoreContext } from './store-layout.js';

export const limitsWith = (limits?: Partial<ExtractLimits>): ExtractLimits => ({
  ...DEFAULT_LIMITS,
  ...limits,
});

/**
 * The manifest of backup `name`, checked: every entry by the snapshot's rules, every piece held by
 * the store, each file's pieces adding up to its size. A manifest naming pieces the store does
 * not hold is refused here, before anything is extracted.
 */
export async function checkedManifest(
  ctx: StoreContext,
  state: StoreState,
  name: string,
  limits?: Partial<ExtractLimits>,
): Promise<Manifest> {
  const pieces = new PieceReader(ctx, state);
  let missing = 0;
  let firstMissing = '';
  const read = await readSnapshot(
    ctx,
    name,
    (entry, ids) => {
      let size = 0;
      for (let at = 0; at < ids.length; at += 32) {
        const length = pieces.lengthOf(ids.toString('latin1', at, at + 32));
        if (length === undefined) {
          missing += 1;
          firstMissing ||= entry.path;
        } else size += length;
      }
      if (missing === 0 && size !== entry.size) {
        throw storeCorrupt(
          `backup ${name} says ${entry.path} has ${entry.size} bytes, but its pieces hold ${size}`,
        );
      }
    },
    limitsWith(limits),
  );
  if (missing > 0) {
    throw new AppError(
      'corrupt',
      `The backup ${name} needs ${missing} piece(s) the backup store does not hold (first in ${firstMissing}): a pack is missing or damaged. Nothing was restored.`,
      { backup: name, missingPieces: missing },
    );
  }
  return {
    format: read.head.format,
    createdAt: read.head.createdAt,
    entries: read.entries,
    meta: read.head.meta,
  };
}

/** A file's bytes as a stream, piece by piece; its size and SHA-256 checked at the end. */
export function fileStream(pieces: PieceReader, entry: ManifestEntry, ids: Buffer): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let size = 0;
    for (let at = 0; at < ids.length; at += 32) {
      const plain = await pieces.read(ids.toString('latin1', at, at + 32));
      hash.update(plain);
      size += plain.length;
      yield plain;
    }
    if (size !== entry.size || hash.digest('hex') !== entry.sha256) {
      throw storeCorrupt(`${entry.path} does not match its SHA-256`);
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

/** Streams each entry of backup `name` in order (after the whole manifest was checked). */
export async function* backupEntries(
  ctx: StoreContext,
  state: StoreState,
  name: string,
): AsyncGenerator<{ entry: ManifestEntry; stream: Readable | undefined }> {
  await checkedManifest(ctx, state, name);
  const pieces = new PieceReader(ctx, state);
  const reader = await SnapshotReader.open(ctx, name);
  try {
    for (let read = await reader.next(); read; read = await reader.next()) {
      if (read.entry.kind === 'dir') {
        yield { entry: read.entry, stream: undefined };
        continue;
      }
      const stream = fileStream(pieces, read.entry, read.ids);
      yield { entry: read.entry, stream };
      // The caller may not have read it all: what is left is still read, so every piece is checked.
      for await (const piece of stream) void piece;
    }
  } finally {
    await reader.close();
    await pieces.close();
  }
}
