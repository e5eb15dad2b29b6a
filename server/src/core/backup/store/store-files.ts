/**
 * The disk as the deduplicated backup store sees it (docs/backup-format.md, "Format 2"): a port,
 * implemented by infra/fs/node-store-files.ts. Every change the store makes to the disk is one
 * call here, so a test can stop the store at any single call, as a SIGKILL would, and check that
 * what is left on disk still restores every backup (prune-crash.test.ts).
 *
 * Errors are the platform's own (with their errno `code`); the store turns them into AppErrors.
 */

/** A new file being written: created exclusively, never over anything already there. */
export interface StoreFileWriter {
  /** Appends all of `parts`, in order (one gathered write where the platform has one). */
  write(parts: readonly Buffer[]): Promise<void>;
  chmod(mode: number): Promise<void>;
  /** Only a process running as root can give a file away. */
  chown(uid: number, gid: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A file opened for reading (never through a link). */
export interface StoreFileReader {
  readonly size: number;
  /** Up to `length` bytes at `position`: fewer only where the file ends. */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** What `lstat` says of a path: a link or a device is `other`. */
export type StorePathKind = 'dir' | 'file' | 'other';

export interface StoreFiles {
  /** The names in a folder; none when the folder does not exist. */
  list(folder: string): Promise<string[]>;
  /** What is at `path` without following a link; undefined when nothing is. */
  kind(path: string): Promise<StorePathKind | undefined>;
  /** Creates one folder (its parent must exist); fails with EEXIST when something is there. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Creates a file with `O_CREAT | O_EXCL | O_NOFOLLOW` and the given mode. */
  create(path: string, mode: number): Promise<StoreFileWriter>;
  open(path: string): Promise<StoreFileReader>;
  /** Atomic within one filesystem: readers see the old name or the new, never half a file. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; one already gone is no error. */
  remove(path: string): Promise<void>;
  /** Makes the renames and removals in `folder` durable (a no-op where folders cannot be synced). */
  syncFolder(folder: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
}
