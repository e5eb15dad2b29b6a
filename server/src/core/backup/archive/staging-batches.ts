/**
 * Small files handed to the staging writer's worker (file-batches.ts) in batches while the next
 * ones are read and checked; at most two batches are being written at a time. Format 1's
 * extraction (extraction.ts) and the backup store's (store/store-extract.ts) both write this way:
 * thousands of uploads are not four round trips each through the thread pool.
 */
import type { ManifestEntry } from './entry-table.js';
import type { ExtractOwner } from './format.js';
import { FileBatchError, FileBatches, type FileToWrite } from './file-batches.js';
import { MODE_MASK, unsafe } from './framing.js';

/** Files at most this big are read whole (checked) and batched; larger ones are streamed. */
export const BATCH_FILE = 256 * 1024;
const BATCH_FILES = 128;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCHES_IN_FLIGHT = 2;

export class StagingBatches {
  private readonly writer = new FileBatches();
  private batch: Array<FileToWrite & { path: string }> = [];
  private batchBytes = 0;
  private inFlight: Array<Promise<void>> = [];

  constructor(private readonly owner: ExtractOwner | undefined) {}

  /** Queues `entry`'s checked bytes for `target`, with its recorded mode and owner. */
  async add(entry: ManifestEntry, target: string, data: Buffer[]): Promise<void> {
    const size = data.reduce((sum, piece) => sum + piece.length, 0);
    this.batch.push({
      path: entry.path,
      target,
      mode: entry.mode & MODE_MASK,
      owner: this.owner?.(entry.path),
      data,
      size,
    });
    this.batchBytes += size;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Hands the current batch to the writer; waits while too many are being written. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    const written = this.writer.write(batch).catch((error: unknown) => {
      // Anything else keeps its errno code, which ioError turns into the user's message.
      const file =
        error instanceof FileBatchError && error.code === 'EEXIST'
          ? batch.find((f) => f.target === error.path)
          : undefined;
      throw file ? unsafe(file.path, 'it already exists in staging') : error;
    });
    // Failures are collected by settle(); none may go unhandled meanwhile.
    written.catch(() => undefined);
    this.inFlight.push(written);
    if (this.inFlight.length > BATCHES_IN_FLIGHT) await this.inFlight.shift();
  }

  /** Writes what is batched and waits for every batch; the first failure is thrown. */
  async settle(): Promise<void> {
    await this.flush();
    const inFlight = this.inFlight;
    this.inFlight = [];
    const failed = (await Promise.allSettled(inFlight)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Once done, failed or not: no write may still land in staging after this. */
  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.writer.close();
  }
}
