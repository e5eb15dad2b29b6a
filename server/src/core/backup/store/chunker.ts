/**
 * Content-defined chunking (a gear rolling hash, as FastCDC): a file is cut where the hash of the
 * last 32 bytes has its top 19 bits zero, never before MIN_PIECE bytes and never after MAX_PIECE.
 * Cut points depend on content only, so bytes inserted near the start of a large file (a database
 * dump whose first table grew) move the cuts around them and the rest of the file cuts as before:
 * its pieces are stored once. Pieces average about 1 MiB; a file under MIN_PIECE is one piece.
 *
 * The gear table comes from the recovery key (store-crypto.ts): without it, the piece sizes of a
 * known file cannot be predicted, so the sizes on disk do not tell which known files are stored.
 */

export const MIN_PIECE = 512 * 1024;
export const MAX_PIECE = 8 * 1024 * 1024;
/** The top 19 of 32 bits: a cut on average every 512 KiB after the minimum. */
const CUT_MASK = 0xffffe000 | 0;

export interface ChunkerOptions {
  min?: number;
  max?: number;
  mask?: number;
}

/**
 * Cuts one file at a time. `push` and `finish` hand each piece to `emit` as a view of the
 * chunker's own buffer, valid until `emit` resolves: the caller hashes, seals or copies it then.
 * Memory: one MAX_PIECE buffer, reused for every file.
 */
export class Chunker {
  private readonly buffer: Buffer;
  private readonly min: number;
  private readonly max: number;
  private readonly mask: number;
  private filled = 0;
  private scanned = 0;
  private hash = 0;

  constructor(
    private readonly gear: Uint32Array,
    options: ChunkerOptions = {},
  ) {
    this.min = options.min ?? MIN_PIECE;
    this.max = options.max ?? MAX_PIECE;
    this.mask = options.mask ?? CUT_MASK;
    this.buffer = Buffer.allocUnsafe(this.max);
  }

  async push(data: Buffer, emit: (piece: Buffer) => Promise<void>): Promise<void> {
    for (let at = 0; at < data.length;) {
      const copied = data.copy(this.buffer, this.filled, at);
      this.filled += copied;
      at += copied;
      for (let cut = this.findCut(); cut > 0; cut = this.findCut()) {
        await emit(this.buffer.subarray(0, cut));
        this.buffer.copyWithin(0, cut, this.filled);
        this.filled -= cut;
      }
    }
  }

  /** The file's last piece (if any bytes are left); the chunker is then ready for the next file. */
  async finish(emit: (piece: Buffer) => Promise<void>): Promise<void> {
    const rest = this.filled;
    this.filled = 0;
    this.scanned = 0;
    this.hash = 0;
    if (rest > 0) await emit(this.buffer.subarray(0, rest));
  }

  /** Where the current piece ends, or 0 when more bytes are needed to know. */
  private findCut(): number {
    if (this.filled < this.min) return 0;
    if (this.scanned < this.min) {
      this.scanned = this.min;
      this.hash = 0;
    }
    const end = Math.min(this.filled, this.max);
    const { buffer, gear, mask } = this;
    let hash = this.hash;
    for (let i = this.scanned; i < end; i += 1) {
      hash = ((hash << 1) + gear[buffer[i]!]!) | 0;
      if ((hash & mask) === 0) {
        this.scanned = 0;
        this.hash = 0;
        return i + 1;
      }
    }
    if (end === this.max) {
      this.scanned = 0;
      this.hash = 0;
      return this.max;
    }
    this.scanned = end;
    this.hash = hash;
    return 0;
  }
}
