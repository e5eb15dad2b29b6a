/**
 * A manifest's entries, held compactly. A backup of 100k small files has 100k entries; as plain
 * objects (a path string, a 64-character hex string and the object) they cost ~220 bytes each of
 * JS heap, which the collector traces again and again while a backup or restore runs, and the
 * heap grows with it. Here they are columns in a few growable buffers off the heap (the path's
 * UTF-8 bytes, the raw SHA-256, size, mode, kind: ~80 bytes an entry), and an entry object is
 * made only when asked for, by index and in order.
 */

/** One entry as the manifest records it (written after its bytes, so sizes and digests are real). */
export interface ManifestEntry {
  path: string;
  kind: 'file' | 'dir';
  size: number;
  /** Lowercase hex SHA-256 of the entry's plain bytes; '' for folders. */
  sha256: string;
  mode: number;
}

const EMPTY_SHA = Buffer.alloc(32);
const HEX = /^[0-9a-f]{64}$/;

/** FNV-1a of a path's bytes: the duplicate index's key (a number: nothing for the GC to trace). */
function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0; // signed: a small integer for V8, not a boxed number
}

/** `array`, or a copy twice as long (at least `need`) when it is too short. */
function grown<T extends Float64Array | Uint32Array | Uint8Array>(
  array: T,
  need: number,
  make: (length: number) => T,
): T {
  if (need <= array.length) return array;
  const next = make(Math.max(need, array.length * 2));
  next.set(array);
  return next;
}

const bytes = (length: number): Buffer => Buffer.allocUnsafe(length);

export class EntryTable implements Iterable<ManifestEntry> {
  length = 0;
  /** The sum of every entry's size. */
  totalBytes = 0;
  private pathBytes = bytes(64 * 1024);
  private pathEnds = new Uint32Array(1024);
  private usedPathBytes = 0;
  private sha = bytes(32 * 1024);
  private sizes = new Float64Array(1024);
  private modes = new Uint32Array(1024);
  private dirs = new Uint8Array(1024);
  /** Path hash -> index of the first entry with it, or a list when paths collide. */
  private readonly byHash = new Map<number, number | number[]>();

  static from(entries: Iterable<ManifestEntry>): EntryTable {
    const table = new EntryTable();
    for (const entry of entries) table.push(entry);
    return table;
  }

  /**
   * Appends an entry. Its SHA-256 must be 64 lowercase hex digits for a file and '' for a folder
   * (the manifest's rules: the caller has checked them), so that `at` gives back the same entry.
   */
  push(entry: ManifestEntry): void {
    const isDir = entry.kind === 'dir';
    if (isDir ? entry.sha256 !== '' : !HEX.test(entry.sha256)) {
      throw new Error(`entry ${entry.path} has no SHA-256 in the manifest's form`);
    }
    const index = this.length;
    const pathLength = Buffer.byteLength(entry.path, 'utf8');
    this.pathBytes = grown(this.pathBytes, this.usedPathBytes + pathLength, bytes);
    const start = this.usedPathBytes;
    this.pathBytes.write(entry.path, start, 'utf8');
    this.usedPathBytes += pathLength;
    this.pathEnds = grown(this.pathEnds, index + 1, (n) => new Uint32Array(n));
    this.pathEnds[index] = this.usedPathBytes;
    this.sha = grown(this.sha, (index + 1) * 32, bytes);
    if (isDir) EMPTY_SHA.copy(this.sha, index * 32);
    else this.sha.write(entry.sha256, index * 32, 32, 'hex');
    this.sizes = grown(this.sizes, index + 1, (n) => new Float64Array(n));
    this.modes = grown(this.modes, index + 1, (n) => new Uint32Array(n));
    this.dirs = grown(this.dirs, index + 1, (n) => new Uint8Array(n));
    this.sizes[index] = entry.size;
    this.modes[index] = entry.mode;
    this.dirs[index] = isDir ? 1 : 0;
    this.totalBytes += entry.size;
    this.length = index + 1;
    const hash = hashBytes(this.pathBytes, start, this.usedPathBytes);
    const held = this.byHash.get(hash);
    if (held === undefined) this.byHash.set(hash, index);
    else if (typeof held === 'number') this.byHash.set(hash, [held, index]);
    else held.push(index);
  }

  /** The entry at `index` (a new object each time). */
  at(index: number): ManifestEntry | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const isDir = this.dirs[index] === 1;
    return {
      path: this.pathOf(index),
      kind: isDir ? 'dir' : 'file',
      size: this.sizes[index]!,
      sha256: isDir ? '' : this.sha.toString('hex', index * 32, index * 32 + 32),
      mode: this.modes[index]!,
    };
  }

  pathOf(index: number): string {
    return this.pathBytes.toString(
      'utf8',
      index === 0 ? 0 : this.pathEnds[index - 1],
      this.pathEnds[index],
    );
  }

  /** The index of the first entry with `path`, or -1. */
  indexOf(path: string): number {
    const bytes = Buffer.from(path, 'utf8');
    const held = this.byHash.get(hashBytes(bytes, 0, bytes.length));
    if (held === undefined) return -1;
    for (const index of typeof held === 'number' ? [held] : held) {
      const start = index === 0 ? 0 : this.pathEnds[index - 1]!;
      if (this.pathBytes.subarray(start, this.pathEnds[index]).equals(bytes)) return index;
    }
    return -1;
  }

  /** The first path listed twice, if any. */
  firstDuplicate(): string | undefined {
    for (const held of this.byHash.values()) {
      if (typeof held === 'number') continue;
      for (let i = 1; i < held.length; i += 1) {
        const path = this.pathOf(held[i]!);
        if (this.indexOf(path) !== held[i]) return path;
      }
    }
    return undefined;
  }

  /** The entries as `JSON.stringify` writes them: an array. */
  toJSON(): ManifestEntry[] {
    return [...this];
  }

  *[Symbol.iterator](): Iterator<ManifestEntry> {
    for (let index = 0; index < this.length; index += 1) yield this.at(index)!;
  }

  /**
   * `JSON.stringify` of entries `from` to `to`, comma-separated, as `JSON.stringify` would write
   * each one ({path, kind, size, sha256, mode}), without making the objects.
   */
  json(from: number, to: number): string {
    const parts: string[] = [];
    for (let index = from; index < Math.min(to, this.length); index += 1) {
      const isDir = this.dirs[index] === 1;
      const sha = isDir ? '' : this.sha.toString('hex', index * 32, index * 32 + 32);
      parts.push(
        `{"path":${JSON.stringify(this.pathOf(index))},"kind":"${isDir ? 'dir' : 'file'}","size":${this.sizes[index]},"sha256":"${sha}","mode":${this.modes[index]}}`,
      );
    }
    return parts.join(',');
  }
}
