import { describe, expect, it } from 'vitest';
import { Chunker, MAX_PIECE, MIN_PIECE } from './chunker.js';
import { makeConfig } from './store-crypto.js';
import { bytesOf, testKey } from './store.test-support.js';

/** The piece lengths of `data` fed in slices of `step` bytes. */
async function cuts(chunker: Chunker, data: Buffer, step: number): Promise<number[]> {
  const lengths: number[] = [];
  const emit = async (piece: Buffer): Promise<void> => void lengths.push(piece.length);
  for (let at = 0; at < data.length; at += step)
    await chunker.push(data.subarray(at, at + step), emit);
  await chunker.finish(emit);
  return lengths;
}

const gearOf = (key: Uint8Array): Uint32Array => makeConfig(key).keys.gear;

describe('content-defined chunking', () => {
  it('cuts the same content at the same places however it is read, within the size bounds', async () => {
    const data = await bytesOf(24 * 1024 * 1024, 'cuts');
    const gear = gearOf(testKey());
    const whole = await cuts(new Chunker(gear), data, data.length);
    expect(await cuts(new Chunker(gear), data, 65_536)).toEqual(whole);
    expect(await cuts(new Chunker(gear), data, 1_000_003)).toEqual(whole);
    expect(whole.reduce((a, b) => a + b, 0)).toBe(data.length);
    for (const length of whole.slice(0, -1)) {
      expect(length).toBeGreaterThanOrEqual(MIN_PIECE);
      expect(length).toBeLessThanOrEqual(MAX_PIECE);
    }
    // About 1 MiB on average: 24 MiB makes between 12 and 48 pieces.
    expect(whole.length).toBeGreaterThan(12);
    expect(whole.length).toBeLessThan(48);
  });

  it('finds the same cuts again after bytes are inserted near the start', async () => {
    const data = await bytesOf(16 * 1024 * 1024, 'insert');
    const gear = gearOf(testKey());
    const before = await cuts(new Chunker(gear), data, 65_536);
    const shifted = Buffer.concat([data.subarray(0, 10), Buffer.alloc(333, 1), data.subarray(10)]);
    const after = await cuts(new Chunker(gear), shifted, 65_536);
    // Only the first piece grows by what was inserted; every later piece is the same.
    expect(after[0]).toBe((before[0] ?? 0) + 333);
    expect(after.slice(1)).toEqual(before.slice(1));
  });

  it('cuts differently under another recovery key', async () => {
    const data = await bytesOf(16 * 1024 * 1024, 'keys');
    const one = await cuts(new Chunker(gearOf(testKey())), data, data.length);
    const two = await cuts(new Chunker(gearOf(testKey())), data, data.length);
    expect(one).not.toEqual(two);
  });
});
