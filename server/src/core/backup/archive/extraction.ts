/**
 * Writing an archive's entries into staging: only regular files and folders, never over anything
 * already there, each given its recorded mode and (when running as root) its owner.
 */
import { close, fchmod, fchown, open as openFd, write as writeFd } from 'node:fs';
import { chown, lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ManifestEntry } from './entry-table.js';
import type { ExtractOwner } from './format.js';
import { MODE_MASK, unsafe } from './framing.js';
import { CREATE_FLAGS } from './file-batches.js';
import type { EntryBody } from './records.js';
import { BATCH_FILE, StagingBatches } from './staging-batches.js';

/** Plain descriptors for the few large files (a FileHandle costs more than its system calls). */
const fd = {
  open: promisify(openFd),
  write: promisify(writeFd),
  chmod: promisify(fchmod),
  chown: promisify(fchown),
  close: promisify(close),
};

/**
 * Writing an archive's files into staging: folders checked once each (the archive itself can
 * only add regular files and folders, so a folder found once stays one), small files written in
 * batches by a worker thread while the next ones are read (staging-batches.ts), large ones
 * streamed. Only a file whose bytes have all been read and checked is written at all.
 */
export class Extraction {
  private readonly folders = new Set<string>();
  private readonly batches: StagingBatches;

  constructor(
    private readonly root: string,
    private readonly owner: ExtractOwner | undefined,
  ) {
    this.batches = new StagingBatches(owner);
  }

  async folder(relative: string): Promise<void> {
    let at = this.root;
    let path = '';
    for (const part of relative.split('/')) {
      at = join(at, part);
      path = path ? `${path}/${part}` : part;
      if (this.folders.has(path)) continue;
      const info = await lstat(at).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) {
        await mkdir(at, { mode: 0o700 });
        const owner = this.owner?.(path);
        if (owner) await chown(at, owner.uid, owner.gid);
      } else if (!info.isDirectory() || info.isSymbolicLink()) {
        throw unsafe(relative, 'a folder whose place in staging is taken by a file or link');
      }
      this.folders.add(path);
    }
  }

  async file(entry: ManifestEntry, body: EntryBody): Promise<void> {
    const parent = entry.path.split('/').slice(0, -1).join('/');
    if (parent) await this.folder(parent);
    const target = join(this.root, entry.path);
    if (entry.size > BATCH_FILE) {
      await this.settle();
      await writeFrom(target, entry, this.owner, async (write) => {
        for (let piece = await body.next(); piece; piece = await body.next()) await write(piece);
      });
      return;
    }
    const data: Buffer[] = [];
    for (let piece = await body.next(); piece; piece = await body.next()) data.push(piece);
    await this.batches.add(entry, target, data);
  }

  /** Writes what is batched and waits for every batch; the first failure is thrown. */
  async settle(): Promise<void> {
    await this.batches.settle();
  }

  /** Once done, failed or not: no write may still land in staging after this. */
  async close(): Promise<void> {
    await this.batches.close();
  }
}

async function writeFrom(
  target: string,
  entry: ManifestEntry,
  ownerOf: ExtractOwner | undefined,
  fill: (write: (piece: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  const file = await fd.open(target, CREATE_FLAGS, 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw unsafe(entry.path, 'it already exists in staging');
    throw error;
  });
  try {
    await fill(async (piece) => {
      for (let done = 0; done < piece.length;) {
        done += (await fd.write(file, piece, done, piece.length - done, null)).bytesWritten;
      }
    });
    const owner = ownerOf?.(entry.path);
    if (owner) await fd.chown(file, owner.uid, owner.gid);
    await fd.chmod(file, entry.mode & MODE_MASK);
    await fd.close(file);
  } catch (error) {
    await fd.close(file).catch(() => undefined);
    await rm(target, { force: true });
    throw error;
  }
}
