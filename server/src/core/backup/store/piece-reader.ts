/**
 * Reading pieces back: located through the piece table, authenticated by their record's tag, and
 * their id recomputed from the plain bytes (so a piece filed under the wrong id, by a bug or by
 * anyone holding the key, is caught as surely as a flipped bit). A few packs stay open while a
 * backup is read, and a pack is read a window of 1 MiB at a time: a backup's pieces mostly come in
 * the order they were written, so 10,000 small uploads are a few dozen reads, not 10,000.
 */
import { timingSafeEqual } from 'node:crypto';
import { openPack, openPiece, sealedSize, type PackHandle } from './pack.js';
import { idBytes, shortId } from './piece-table.js';
import { pieceId, storeCorrupt } from './store-crypto.js';
import type { StoreState } from './store-index.js';
import type { StoreContext } from './store-layout.js';

const OPEN_PACKS = 8;
const WINDOW = 1024 * 1024;

export class PieceReader {
  private readonly open = new Map<number, Promise<PackHandle>>();
  /** The last bytes read ahead: which pack, from where, and the bytes. */
  private window: { pack: number; start: number; bytes: Buffer } | undefined;

  constructor(
    private readonly ctx: StoreContext,
    private readonly state: StoreState,
  ) {}

  /** The plain length of a piece the store holds, or undefined when it holds no such piece. */
  lengthOf(key: string): number | undefined {
    const slot = this.state.table.slotOf(key);
    return slot === undefined ? undefined : this.state.table.lengthAt(slot);
  }

  /** A piece's plain bytes, checked; `corrupt` naming the piece when it is missing or damaged. */
  async read(key: string): Promise<Buffer> {
    const { table } = this.state;
    const slot = table.slotOf(key);
    if (slot === undefined) {
      throw storeCorrupt(`piece ${shortId(key)} is missing (its pack is gone or unreadable)`);
    }
    const at = table.location(slot);
    const pack = await this.pack(at.pack);
    const plain = openPiece(
      pack,
      at.number,
      at.length,
      await this.sealed(pack, at.pack, at.offset, at.length),
    );
    if (!timingSafeEqual(pieceId(this.ctx.keys, plain), idBytes(key))) {
      throw storeCorrupt(`piece ${shortId(key)} in pack ${pack.name} does not match its id`);
    }
    return plain;
  }

  /** The sealed bytes of a piece, from the window when it holds them, else from a new window. */
  private async sealed(
    pack: PackHandle,
    slot: number,
    offset: number,
    length: number,
  ): Promise<Buffer> {
    const size = sealedSize(length);
    const window = this.window;
    if (
      window?.pack === slot &&
      offset >= window.start &&
      offset + size <= window.start + window.bytes.length
    ) {
      return window.bytes.subarray(offset - window.start, offset - window.start + size);
    }
    if (size >= WINDOW) return pack.file.read(offset, size);
    const bytes = await pack.file.read(offset, WINDOW);
    this.window = { pack: slot, start: offset, bytes };
    return bytes.subarray(0, size);
  }

  async close(): Promise<void> {
    this.window = undefined;
    const open = [...this.open.values()];
    this.open.clear();
    for (const pack of open) await pack.then((p) => p.file.close()).catch(() => undefined);
  }

  private async pack(slot: number): Promise<PackHandle> {
    let pack = this.open.get(slot);
    if (pack) {
      // Most recently used last: the first in the map is the one to close when too many are open.
      this.open.delete(slot);
      this.open.set(slot, pack);
      return pack;
    }
    pack = openPack(this.ctx, this.state.table.packs[slot] ?? '');
    // A pack that cannot be opened is tried again next time, not remembered as failed.
    pack.catch(() => this.open.delete(slot));
    this.open.set(slot, pack);
    if (this.open.size > OPEN_PACKS) {
      const [oldest, handle] = this.open.entries().next().value as [number, Promise<PackHandle>];
      this.open.delete(oldest);
      await handle.then((p) => p.file.close()).catch(() => undefined);
    }
    return pack.catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw storeCorrupt(`pack ${this.state.table.packs[slot]} is gone`);
      throw error;
    });
  }
}
