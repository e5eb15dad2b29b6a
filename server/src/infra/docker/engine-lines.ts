import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * The lines of a long-lived engine stream (events, stats: one JSON document a line) until the
 * engine ends it or `signal` fires. An abort at any moment ends the iteration: while the request
 * is still waiting for the engine's answer (the request is cancelled) as well as while reading.
 *
 * @param open starts the request; it must pass the given signal to dockerode as `abortSignal`.
 * @param onOpen called once the engine has answered, before the first line.
 */
export async function* engineLines(
  open: (signal: AbortSignal) => Promise<Readable>,
  signal: AbortSignal,
  onOpen?: () => void,
): AsyncGenerator<string, void, undefined> {
  if (signal.aborted) return;
  // Cancels only the opening request: once the stream is ours, the reader below is closed instead
  // (a response destroyed by the http client errors after readline has stopped listening).
  const opening = new AbortController();
  const cancel = (): void => opening.abort();
  signal.addEventListener('abort', cancel, { once: true });
  let stream: Readable;
  try {
    stream = await open(opening.signal);
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  // The answer and the abort can land in the same turn; an iterator over a closed reader never ends.
  if (signal.aborted) {
    stream.destroy();
    return;
  }
  onOpen?.();
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
