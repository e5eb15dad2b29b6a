/**
 * The backup archive, as the backup service uses it: one encrypted, authenticated file per backup,
 * written and read as streams (never a full copy in memory or in a temporary folder). The format
 * itself is described in docs/backup-format.md; this file is the seam between the format
 * (writer.ts / reader.ts) and what goes into an archive (backup-service.ts).
 */
import type { Readable } from 'node:stream';
import type { EntryTable, ManifestEntry } from './entry-table.js';

/** The archive format this build writes; a reader refuses any newer one before touching anything. */
export const ARCHIVE_FORMAT_VERSION = 1;

/** One thing to put into an archive. Paths are relative POSIX paths: `db/medianest.dump`. */
export type EntrySource =
  | {
      kind: 'file';
      path: string;
      /**
       * The bytes, opened once when the writer reaches this entry: a stream (a dump, a large
       * file) or, for a small file already read, the whole of them.
       */
      open: () => Promise<Readable | Buffer>;
      /** Unix permission bits to restore (e.g. 0o600); 0o644 when absent. */
      mode?: number;
    }
  | { kind: 'dir'; path: string; mode?: number };

/** Everything an archive says about itself; authenticated with the same key as its contents. */
export interface Manifest {
  format: number;
  createdAt: string;
  /** In archive order; compact (entry-table.ts), an entry object made when asked for. */
  entries: EntryTable;
  /**
   * What the backup service records about the source: app and stack versions, PostgreSQL major
   * version, row counts, Redis key counts, image references and digests, settings. The format
   * stores it as given (JSON) and never interprets it.
   */
  meta: Record<string, unknown>;
}

export interface ArchiveProgress {
  /** The entry being written or read. */
  path: string;
  /** Plain bytes processed so far over the whole archive. */
  bytes: number;
}

/** Why an archive cannot be read; each one is a distinct AppError code for the user. */
export type ArchiveProblem =
  | 'wrong_key' // the recovery key does not open it (nothing else is wrong with it)
  | 'corrupt' // a tag or checksum does not match, or the file is truncated
  | 'unsupported_format' // written by a newer version of the app
  | 'unsafe_entry' // an entry would escape staging, is not a regular file or folder, or exceeds a cap
  | 'not_an_archive'; // not a MediaNest backup at all

/** Caps for reading a hostile archive. */
export interface ExtractLimits {
  maxTotalBytes: number;
  maxEntries: number;
  maxDepth: number;
  /** The sealed manifest's bytes, checked from the trailer before any of it is read. */
  maxManifestBytes: number;
}

/**
 * Who should own an extracted entry (by its archive path), or undefined to keep the extracting
 * process's owner. Only a process running as root can give files away.
 */
export type ExtractOwner = (path: string) => { uid: number; gid: number } | undefined;

export interface ArchiveWriter {
  /**
   * Streams `entries` into `target` encrypted with `key`: written to a temporary name beside it,
   * fsynced, then renamed atomically. On any failure (including a full disk) the temporary file is
   * removed and the error rethrown; `target` never exists unless complete.
   */
  write(
    target: string,
    entries: AsyncIterable<EntrySource> | Iterable<EntrySource>,
    meta: Record<string, unknown>,
    key: Uint8Array,
    onProgress?: (progress: ArchiveProgress) => void,
    signal?: AbortSignal,
  ): Promise<{ manifest: Manifest; bytes: number }>;
}

export interface ArchiveReader {
  /** Opens and authenticates the manifest only (cheap): for listings and restore preflight. */
  readManifest(path: string, key: Uint8Array): Promise<Manifest>;
  /**
   * Reads the whole file: every tag, every entry's size and SHA-256 against the manifest. An
   * entry named in `consume` is also given to its consumer as it is read (a dump to `pg_restore
   * -l`), so the file is read once. With `expected` (the manifest a writer just returned), the
   * file's manifest must be exactly it, byte for byte, and is not parsed into a second copy.
   */
  verify(
    path: string,
    key: Uint8Array,
    onProgress?: (progress: ArchiveProgress) => void,
    consume?: Record<string, (stream: Readable) => Promise<void>>,
    expected?: Manifest,
  ): Promise<Manifest>;
  /**
   * Streams each entry in archive order, already authenticated chunk by chunk; the SHA-256 is
   * checked at the end of each entry (a mismatch makes the stream error). For feeding a dump
   * straight into pg_restore without a staging copy.
   */
  entries(
    path: string,
    key: Uint8Array,
  ): AsyncIterable<{ entry: ManifestEntry; stream: Readable | undefined }>;
  /**
   * Extracts the entries whose path starts with one of `prefixes` (all when absent) into
   * `stagingDir` only: regular files and folders named in the manifest, no absolute paths, `..`,
   * drive letters, links or devices, within `limits`. An entry named in `consume` goes to its
   * consumer as a stream instead (a dump straight into pg_restore), in the same pass. Every entry
   * is read and checked, extracted or not, so a pass that resolves has verified the whole archive.
   */
  extract(
    path: string,
    key: Uint8Array,
    stagingDir: string,
    options?: {
      prefixes?: string[];
      limits?: Partial<ExtractLimits>;
      consume?: Record<string, (stream: Readable) => Promise<void>>;
      onProgress?: (progress: ArchiveProgress) => void;
      /** Each extracted file and created folder is given to this owner as it is written. */
      owner?: ExtractOwner;
    },
  ): Promise<Manifest>;
}
