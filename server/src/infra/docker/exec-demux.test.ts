import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { demuxExec } from './exec-demux.js';

const frame = (type: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

/** The bytes of `frames` cut into pieces of `size`, as a socket delivers them. */
function socket(frames: Buffer[], size: number): Readable {
  const all = Buffer.concat(frames);
  const pieces: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) pieces.push(all.subarray(at, at + size));
  return Readable.from(pieces, { objectMode: false });
}

describe("splitting an exec's output", () => {
  it('gives each stream its bytes in order, whatever the pieces the socket cuts', async () => {
    const out = [
      Buffer.from('hello '),
      Buffer.alloc(100_000, 'a'),
      Buffer.from(''),
      Buffer.from('end'),
    ];
    const err = [Buffer.from('warning\n'), Buffer.from('done\n')];
    const frames = [
      frame(1, out[0]!),
      frame(2, err[0]!),
      frame(1, out[1]!),
      frame(1, out[2]!),
      frame(2, err[1]!),
      frame(1, out[3]!),
    ];
    for (const size of [1, 7, 8, 9, 4096, 1 << 20]) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const source = socket(frames, size);
      demuxExec(source, stdout, stderr);
      source.on('end', () => {
        stdout.end();
        stderr.end();
      });
      const [o, e] = await Promise.all([buffer(stdout), buffer(stderr)]);
      expect(o.equals(Buffer.concat(out)), `pieces of ${size}`).toBe(true);
      expect(e.toString()).toBe('warning\ndone\n');
    }
  });

  it('pauses the connection while the reader is slow, instead of holding the output in memory', async () => {
    const payload = Buffer.alloc(64 * 1024, 'x');
    const frames = Array.from({ length: 256 }, () => frame(1, payload)); // 16 MiB
    const source = socket(frames, 64 * 1024);
    const stdout = new PassThrough();
    demuxExec(source, stdout, new PassThrough());
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads: what is held is about one high-water mark, not the whole output.
    expect(stdout.readableLength).toBeLessThan(1024 * 1024);
    expect(source.isPaused()).toBe(true);
    source.on('end', () => stdout.end());
    expect((await buffer(stdout)).length).toBe(256 * payload.length);
  });
});
