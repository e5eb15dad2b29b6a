/**
 * An entry's authenticated body as a Node stream, for a consumer (a dump fed to pg_restore) or a
 * caller of `entries`: a failure of the body (a bad tag or checksum) is reported as itself.
 */
import { Readable } from 'node:stream';
import type { ManifestEntry } from './entry-table.js';
import type { EntryBody } from './records.js';

/**
 * A Readable over one entry's body; `settled` resolves once no read is in flight; `failure` is
 * what reading the body threw (a bad tag or checksum), kept so it is reported as such rather than
 * as the consumer's complaint about a stream that stopped.
 */
export function bodyStream(
  body: EntryBody,
  onPiece?: (length: number) => void,
): { stream: Readable; settled: () => Promise<void>; failure: () => Error | undefined } {
  let inflight: Promise<void> = Promise.resolve();
  let failed: Error | undefined;
  const stream = new Readable({
    read() {
      inflight = body.next().then(
        (piece) => {
          if (piece) onPiece?.(piece.length);
          this.push(piece ?? null);
        },
        (error: unknown) => {
          failed = error as Error;
          this.destroy(failed);
        },
      );
    },
  });
  return { stream, settled: () => inflight, failure: () => failed };
}

export type Consumers = Record<string, (stream: Readable) => Promise<void>>;

/** Gives an entry to its consumer when `consume` names it; true when it did. */
export async function consumeIfNamed(
  consume: Consumers,
  entry: ManifestEntry,
  body: EntryBody | undefined,
  count: (length: number) => void,
): Promise<boolean> {
  const consumer = Object.hasOwn(consume, entry.path) ? consume[entry.path] : undefined;
  if (!body || !consumer) return false;
  await consumeEntry(body, consumer, count);
  return true;
}

/** Feeds one entry to its consumer; the body's own failure wins over the consumer's. */
async function consumeEntry(
  body: EntryBody,
  consumer: (stream: Readable) => Promise<void>,
  onPiece: (length: number) => void,
): Promise<void> {
  const { stream, settled, failure } = bodyStream(body, onPiece);
  try {
    await consumer(stream);
  } catch (error) {
    await settled();
    throw failure() ?? error;
  }
  await settled();
  const failed = failure();
  if (failed) throw failed;
  // A consumer that stopped early: the rest is still read and checked (framedEntries drains it).
  if (!body.finished) stream.destroy();
}
