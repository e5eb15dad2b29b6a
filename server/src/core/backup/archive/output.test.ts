/**
 * The writer's output: the parts of each write reach the file whole and in order, however short
 * the system's writes are.
 */
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Output } from './writer.js';

/** A file whose every gathered write takes at most `most` bytes. */
function shortWrites(most: number): { handle: FileHandle; written: () => Buffer } {
  const chunks: Buffer[] = [];
  const handle = {
    writev: async (parts: Buffer[]) => {
      const all = Buffer.concat(parts);
      const taken = all.subarray(0, Math.min(most, all.length));
      chunks.push(Buffer.from(taken));
      return { bytesWritten: taken.length, buffers: parts };
    },
  } as unknown as FileHandle;
  return { handle, written: () => Buffer.concat(chunks) };
}

describe('the archive output', () => {
  it('writes every part in order when the system writes a few bytes at a time', async () => {
    const { handle, written } = shortWrites(5);
    const out = new Output(handle);
    await out.write([
      Buffer.from('pre'),
      Buffer.alloc(0),
      Buffer.from('cipher-text'),
      Buffer.from('TAG'),
    ]);
    await out.write(Buffer.from('|next record|'));
    await out.flush();
    expect(written().toString()).toBe('precipher-textTAG|next record|');
    expect(out.bytes).toBe(written().length);
  });

  it('reports the first failed write at the next write or flush', async () => {
    const handle = {
      writev: async () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    } as unknown as FileHandle;
    const out = new Output(handle);
    await out.write(Buffer.from('a'));
    await expect(out.flush()).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(out.write(Buffer.from('b'))).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
