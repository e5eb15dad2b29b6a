import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Opens a long-lived engine stream (events, a log follow), cancelling the request when
 * `signal` fires before the engine has answered. Undefined when aborted: there is nothing to read.
 *
 * @param open starts the request; it must pass the given signal to dockerode as `abortSignal`.
 */
export async function openEngineStream(
  open: (signal: AbortSignal) => Promise<Readable>,
  signal: AbortSignal,
): Promise<Readable | undefined> {
  if (signal.aborted) return undefined;
  // Cancels only the opening request: once the stream is ours, its reader stops it instead
  // (a response the http client destroys errors after readline has stopped listening).
  const opening = new AbortController();
  const cancel = (): void => opening.abort();
  signal.addEventListener('abort', cancel, { once: true });
  let stream: Readable;
  try {
    stream = await open(opening.signal);
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  // The answer and the abort can land in the same turn.
  if (signal.aborted) {
    stream.destroy();
    return undefined;
  }
  return stream;
}

/** The non-empty lines of an open stream until it ends or `signal` fires; then it is destroyed. */
export async function* streamLines(
  stream: Readable,
  signal: AbortSignal,
): AsyncGenerator<string, void, undefined> {
  // An iterator over a reader closed before it started never ends.
  if (signal.aborted) {
    stream.destroy();
    return;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // Closing the reader ends the loop below; destroying the stream alone would leave it waiting.
  const stop = (): void => {
    lines.close();
    stream.destroy();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const line of lines) {
      if (line.trim() !== '') yield line;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/**
 * The lines of a long-lived engine stream (events: one JSON document a line) until the
 * engine ends it or `signal` fires. An abort at any moment ends the iteration: while the request
 * is still waiting for the engine's answer as well as while reading.
 *
 * @param onOpen called once the engine has answered, before the first line.
 */
export async function* engineLines(
  open: (signal: AbortSignal) => Promise<Readable>,
  signal: AbortSignal,
  onOpen?: () => void,
): AsyncGenerator<string, void, undefined> {
  const stream = await openEngineStream(open, signal);
  if (!stream) return;
  onOpen?.();
  yield* streamLines(stream, signal);
}
