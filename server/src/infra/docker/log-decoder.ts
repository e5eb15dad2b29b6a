import type { EngineLogLine } from '../../core/logs/log-gateway.js';
import { normalizeTime } from '../../core/logs/time.js';

type Stream = EngineLogLine['stream'];

/**
 * Turns the bytes of `GET /containers/{id}/logs?timestamps=1` into lines, in any chunking. Without
 * a TTY the body is multiplexed frames (8-byte header: stream, 0, 0, 0, size); with one it is raw
 * text. Which one is told by the first byte: a frame starts with 0, 1 or 2, a timestamp with a digit.
 * The engine writes one message per frame, `TIMESTAMP TEXT\n`; a message longer than 16 KiB comes
 * as several partial messages (no newline until the last), joined here under the first timestamp.
 */
export class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private raw: boolean | undefined;
  private rawText = '';
  private readonly carry: Record<Stream, EngineLogLine | undefined> = {
    stdout: undefined,
    stderr: undefined,
  };

  push(chunk: Buffer): EngineLogLine[] {
    const out: EngineLogLine[] = [];
    this.raw ??= chunk.length > 0 ? chunk[0] !== 0 && chunk[0] !== 1 && chunk[0] !== 2 : undefined;
    if (this.raw === undefined) return out;
    if (this.raw) {
      this.rawText += chunk.toString('utf8');
      const parts = this.rawText.split('\n');
      this.rawText = parts.pop() ?? '';
      for (const part of parts) this.message('stdout', part + '\n', out);
      return out;
    }
    let buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (offset + 8 <= buffer.length) {
      const size = buffer.readUInt32BE(offset + 4);
      if (offset + 8 + size > buffer.length) break;
      const stream: Stream = buffer[offset] === 2 ? 'stderr' : 'stdout';
      this.message(stream, buffer.toString('utf8', offset + 8, offset + 8 + size), out);
      offset += 8 + size;
    }
    buffer = buffer.subarray(offset);
    // Keep only the unconsumed tail, copied, so the chunk it came from can be freed.
    this.pending = buffer.length > 0 ? Buffer.from(buffer) : Buffer.alloc(0);
    return out;
  }

  /** Whatever is left when the stream ends: a last line without its newline. */
  end(): EngineLogLine[] {
    const out: EngineLogLine[] = [];
    if (this.rawText) this.message('stdout', this.rawText, out);
    this.rawText = '';
    for (const stream of ['stdout', 'stderr'] as const) {
      const line = this.carry[stream];
      if (line) out.push(line);
      this.carry[stream] = undefined;
    }
    return out;
  }

  private message(stream: Stream, payload: string, out: EngineLogLine[]): void {
    const space = payload.indexOf(' ');
    const stamp = space === -1 ? payload.trimEnd() : payload.slice(0, space);
    let body = space === -1 ? '' : payload.slice(space + 1);
    const complete = body.endsWith('\n');
    if (complete) body = body.slice(0, -1);
    const previous = this.carry[stream];
    let line: EngineLogLine;
    if (previous) {
      previous.text += body;
      line = previous;
    } else {
      const time =
        stamp.length === 30 && stamp.endsWith('Z') ? stamp : (normalizeTime(stamp) ?? stamp);
      line = { time, stream, text: body };
    }
    if (complete) {
      this.carry[stream] = undefined;
      out.push(line);
    } else {
      this.carry[stream] = line;
    }
  }
}
