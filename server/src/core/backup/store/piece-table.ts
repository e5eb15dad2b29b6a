/**
 * Where every piece of the store is: its pack, its number in the pack (the nonce of its record),
 * its offset and plain length. A store of 1 TB holds about a million pieces: the locations are
 * columns of typed arrays and the map holds only the id (32 bytes as a one-byte string) and a
 * slot number, ~90 bytes a piece instead of an object per piece for the collector to trace.
 */

/** One row of a pack's table: id (32) | offset (8) | plain length (4). */
export const TABLE_ROW = 44;

export interface PieceLocation {
  /** The pack's slot in `PieceTable.packs`. */
  pack: number;
  number: number;
  offset: number;
  length: number;
}

/** A piece id as a map key (and back): the 32 raw bytes as a one-byte string. */
export const idKey = (id: Buffer): string => id.toString('latin1');
export const idBytes = (key: string): Buffer => Buffer.from(key, 'latin1');
/** The first 12 hex digits of an id, to name a piece to a person. */
export const shortId = (key: string): string => idBytes(key).toString('hex', 0, 6);

export class PieceTable {
  /** Pack names by slot. */
  readonly packs: string[] = [];
  private readonly slots = new Map<string, number>();
  private packOf = new Uint32Array(1024);
  private numberOf = new Uint32Array(1024);
  private offsetOf = new Float64Array(1024);
  private lengthOf = new Uint32Array(1024);

  get size(): number {
    return this.slots.size;
  }

  addPack(name: string): number {
    this.packs.push(name);
    return this.packs.length - 1;
  }

  /**
   * Adds every row of a pack's table whose piece is not known yet (a piece held by two packs, as
   * after an interrupted prune, is found in the first one added).
   */
  addRows(pack: number, table: Buffer): void {
    for (let number = 0; number * TABLE_ROW < table.length; number += 1) {
      const row = number * TABLE_ROW;
      const key = table.toString('latin1', row, row + 32);
      if (this.slots.has(key)) continue;
      const slot = this.slots.size;
      this.grow(slot + 1);
      this.packOf[slot] = pack;
      this.numberOf[slot] = number;
      this.offsetOf[slot] = Number(table.readBigUInt64BE(row + 32));
      this.lengthOf[slot] = table.readUInt32BE(row + 40);
      this.slots.set(key, slot);
    }
  }

  slotOf(key: string): number | undefined {
    return this.slots.get(key);
  }

  location(slot: number): PieceLocation {
    return {
      pack: this.packOf[slot]!,
      number: this.numberOf[slot]!,
      offset: this.offsetOf[slot]!,
      length: this.lengthOf[slot]!,
    };
  }

  lengthAt(slot: number): number {
    return this.lengthOf[slot]!;
  }

  /** Whether `slot` is the copy in `pack` at `number` (not a duplicate held elsewhere). */
  isAt(slot: number, pack: number, number: number): boolean {
    return this.packOf[slot] === pack && this.numberOf[slot] === number;
  }

  ids(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }

  private grow(need: number): void {
    if (need <= this.packOf.length) return;
    const length = Math.max(need, this.packOf.length * 2);
    const grown = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(length);
      next.set(old);
      return next;
    };
    this.packOf = grown(this.packOf, (n) => new Uint32Array(n));
    this.numberOf = grown(this.numberOf, (n) => new Uint32Array(n));
    this.offsetOf = grown(this.offsetOf, (n) => new Float64Array(n));
    this.lengthOf = grown(this.lengthOf, (n) => new Uint32Array(n));
  }
}
