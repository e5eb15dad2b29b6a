/**
 * The deduplicated backup store (format 2, docs/backup-format.md): backups whose unchanged,
 * renamed and copied files are stored once, encrypted and authenticated under keys derived from the
 * recovery key, verified piece by piece, pruned crash-safely. This is the seam the backup service
 * uses; the parts are beside it (write, read, verify, prune, figures).
 *
 * One job at a time: a write, a prune and a restore must not run together on one store (the
 * backup service's job lock ensures it), because a prune removes what no committed backup names,
 * including the pieces of a backup still being written.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../app-error.js';
import type { ManifestEntry } from '../archive/entry-table.js';
import type { EntrySource, ExtractLimits, Manifest } from '../archive/format.js';
import type { StoreFiles } from './store-files.js';
import { CONFIG_SIZE, makeConfig, openConfig } from './store-crypto.js';
import { loadState, type StoreState } from './store-index.js';
import { CONFIG, INDEX, PACKS, SNAPSHOTS, TMP, type StoreContext } from './store-layout.js';
import { storeFigures, type StoreFigures } from './store-figures.js';
import { deleteSnapshots, prune, type PruneOptions, type PruneResult } from './store-prune.js';
import { extractBackup, type ExtractOptions } from './store-extract.js';
import { backupEntries, checkedManifest } from './store-read.js';
import {
  backupsUsing,
  listSnapshots,
  verifyBackup,
  type BackupVerification,
  type VerifyOptions,
} from './store-verify.js';
import { writeBackup, type WriteOptions, type WrittenBackup } from './store-write.js';

const FOLDERS = [PACKS, INDEX, SNAPSHOTS, TMP];

async function ensureFolder(files: StoreFiles, path: string): Promise<void> {
  const kind = await files.kind(path);
  if (kind === 'dir') return;
  if (kind !== undefined) {
    throw new AppError('backup_failed', `The backup store cannot use ${path}: it is not a folder.`);
  }
  await files.mkdir(path, 0o700);
}

/** Creates the store's folders and its config (written in tmp/, then renamed: never half). */
async function createStore(files: StoreFiles, root: string, key: Uint8Array): Promise<void> {
  await ensureFolder(files, root);
  for (const folder of FOLDERS) await ensureFolder(files, join(root, folder));
  const { config } = makeConfig(key);
  const partial = join(root, TMP, 'config.partial');
  await files.remove(partial);
  const file = await files.create(partial, 0o600);
  await file.write([config]);
  await file.sync();
  await file.close();
  await files.rename(partial, join(root, CONFIG));
  await files.syncFolder(root);
}

export class BackupStore {
  private constructor(
    private readonly ctx: StoreContext,
    private state: StoreState,
  ) {}

  /**
   * Opens the store in `root` (creating it when `create` and there is none): the config's key
   * check first (`wrong_key`), then every pack's pieces through the index.
   */
  static async open(
    files: StoreFiles,
    root: string,
    recoveryKey: Uint8Array,
    options: { create?: boolean } = {},
  ): Promise<BackupStore> {
    const configPath = join(root, CONFIG);
    if ((await files.kind(configPath)) === undefined) {
      if (!options.create) {
        throw new AppError('not_found', `There is no backup store in ${root}.`);
      }
      await createStore(files, root, recoveryKey);
    }
    const file = await files.open(configPath);
    let config: Buffer;
    try {
      config = await file.read(0, CONFIG_SIZE + 1);
    } finally {
      await file.close();
    }
    const keys = openConfig(recoveryKey, config);
    // A store whose snapshots folder vanished (a failed mount, a hand-made copy) must not look
    // empty: a prune would then free every piece. Only tmp/ is made again when missing.
    for (const folder of [PACKS, INDEX, SNAPSHOTS]) {
      if ((await files.kind(join(root, folder))) !== 'dir') {
        throw new AppError(
          'corrupt',
          `The backup store in ${root} is damaged: its ${folder} folder is missing. Nothing was changed.`,
        );
      }
    }
    await ensureFolder(files, join(root, TMP));
    const ctx: StoreContext = { files, root, keys };
    return new BackupStore(ctx, await loadState(ctx));
  }

  /** Packs or index files that could not be read when the store was opened. */
  get problems(): readonly string[] {
    return this.state.problems;
  }

  /** The backups in the store, by name. */
  list(): Promise<string[]> {
    return listSnapshots(this.ctx);
  }

  /** Writes backup `name`; resolves once it is committed. */
  write(
    name: string,
    entries: AsyncIterable<EntrySource> | Iterable<EntrySource>,
    meta: Record<string, unknown>,
    options?: WriteOptions,
  ): Promise<WrittenBackup> {
    return writeBackup(this.ctx, this.state, name, entries, meta, options);
  }

  /** The manifest of backup `name`, checked whole (rules, caps, every piece held). */
  readManifest(name: string, limits?: Partial<ExtractLimits>): Promise<Manifest> {
    return checkedManifest(this.ctx, this.state, name, limits);
  }

  /** Each entry of backup `name` in order, a file as a checked stream. */
  entries(name: string): AsyncIterable<{ entry: ManifestEntry; stream: Readable | undefined }> {
    return backupEntries(this.ctx, this.state, name);
  }

  /** Extracts backup `name` into `staging` only (see store-extract.ts). */
  extract(name: string, staging: string, options?: ExtractOptions): Promise<Manifest> {
    return extractBackup(this.ctx, this.state, name, staging, options);
  }

  /** Checks every piece backup `name` needs; names every backup a damaged piece affects. */
  verify(name: string, options?: VerifyOptions): Promise<BackupVerification> {
    return verifyBackup(this.ctx, this.state, name, options);
  }

  /** Which backups need any of `pieces` (ids as 32-byte one-byte strings). */
  backupsUsing(pieces: ReadonlySet<string>): Promise<{ using: string[]; unreadable: string[] }> {
    return backupsUsing(this.ctx, pieces);
  }

  /** Deletes backups `names`, then frees every piece no remaining backup needs. */
  async delete(names: readonly string[], options?: PruneOptions): Promise<PruneResult> {
    await deleteSnapshots(this.ctx, names);
    return this.prune(options);
  }

  /** Frees what no backup needs (also what an interrupted backup or prune left). */
  async prune(options?: PruneOptions): Promise<PruneResult> {
    try {
      return await prune(this.ctx, options);
    } finally {
      this.state = await loadState(this.ctx);
    }
  }

  /** Per backup its total and own space, and the space of the whole store. */
  figures(): Promise<StoreFigures> {
    return storeFigures(this.ctx, this.state);
  }
}
