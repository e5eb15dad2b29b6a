/**
 * Splits an exec's multiplexed stream (8-byte frame headers: stream type, 3 zero bytes, payload
 * length) into stdout and stderr, honouring backpressure: when a reader is slower than the
 * command (an archive being sealed while pg_dump runs), the connection is paused instead of the
 * output piling up in memory, which is what the engine client's own demuxer does.
 */
import type { Readable, Writable } from 'node:stream';

const HEADER = 8;
const STDERR = 2;

export function demuxExec(source: Readable, stdout: Writable, stderr: Writable): void {
  let pending: Buffer = Buffer.alloc(0);
  let frame: { target: Writable; left: number } | undefined;
  source.on('data', (chunk: Buffer) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let blocked: Writable | undefined;
    for (;;) {
      if (!frame) {
        if (pending.length < HEADER) break;
        frame = {
          target: pending.readUInt8(0) === STDERR ? stderr : stdout,
          left: pending.readUInt32BE(4),
        };
        pending = pending.subarray(HEADER);
      }
      if (frame.left > 0) {
        if (pending.length === 0) break;
        // A frame's payload is passed on as it arrives, never gathered whole.
        const part = pending.subarray(0, Math.min(frame.left, pending.length));
        pending = pending.subarray(part.length);
        frame.left -= part.length;
        if (!frame.target.write(part)) blocked = frame.target;
      }
      if (frame.left === 0) frame = undefined;
    }
    if (blocked) {
      source.pause();
      blocked.once('drain', () => source.resume());
    }
  });
}
