/**
 * Read access to a source folder and to image archives, as image sources need it: a port
 * implemented by infra/fs (NodeSourceTree). Paths are absolute; `relative` paths are posix.
 */

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface SourceEntry {
  /** Path relative to the walked root, posix separators, no leading `./`. */
  relative: string;
  kind: EntryKind;
  /** Permission bits (0o7777). */
  mode: number;
  /** Bytes, for files; 0 otherwise. */
  size: number;
  mtimeMs: number;
  /** Where a symlink points, as stored (never followed). */
  linkTarget?: string;
}

export interface SourceTree {
  /** What is at `path` (following symlinks: a linked source folder is a folder), or undefined. */
  stat(path: string): Promise<{ kind: EntryKind | 'other'; size: number } | undefined>;
  readText(path: string): Promise<string>;
  /**
   * Every file, folder and symlink under `root` in a stable (sorted, depth-first) order, without
   * following symlinks; sockets, fifos and devices are left out. A folder for which
   * `descend(relative)` answers false is listed but not entered.
   */
  walk(root: string, descend: (relative: string) => boolean): AsyncIterable<SourceEntry>;
  /** The file's bytes, in chunks. */
  read(path: string): AsyncIterable<Uint8Array>;
  /** At most `bytes` bytes from the start of the file. */
  readHead(path: string, bytes: number): Promise<Uint8Array>;
}
