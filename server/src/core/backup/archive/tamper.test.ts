import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EntrySource } from './format.js';
import { HEADER_SIZE, TRAILER_SIZE } from './crypto.js';
import { createArchiveReader } from './reader.js';
import { createArchiveWriter } from './writer.js';
import { generated, tempFolder, testKey } from './fixtures.test-support.js';
import { EntryTable } from './entry-table.js';

const reader = createArchiveReader();
// Small chunks, so a small archive has many of them to flip, cut, swap and splice.
const writer = createArchiveWriter({ chunkSize: 1024 });

const sources = (): EntrySource[] => [
  { kind: 'dir', path: 'uploads' },
  { kind: 'file', path: 'uploads/a.bin', open: async () => generated(6000, 'a') },
  { kind: 'file', path: 'db/dump', open: async () => Readable.from(['rows\n'.repeat(500)]) },
];

async function problemOf(bytes: Buffer, key: Uint8Array, folder: string): Promise<string> {
  const path = join(folder, 'tampered.mnbak');
  await writeFile(path, bytes);
  try {
    await reader.verify(path, key);
    return 'verified';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Offsets of the data part's records: [start, end) of each, read from their length prefixes. */
function dataRecords(bytes: Buffer): Array<[number, number]> {
  const records: Array<[number, number]> = [];
  for (let at = HEADER_SIZE; ;) {
    const end = at + 5 + bytes.readUInt32BE(at + 1) + 16;
    records.push([at, end]);
    if (bytes.readUInt8(at) === 1) return records;
    at = end;
  }
}

describe('damaged and foreign archives', () => {
  let folder: string;
  let key: Uint8Array;
  let good: Buffer;

  beforeEach(async () => {
    folder = await tempFolder();
    key = testKey();
    await writer.write(join(folder, 'good.mnbak'), sources(), { v: 1 }, key);
    good = await readFile(join(folder, 'good.mnbak'));
  });

  it('reports a wrong recovery key as wrong_key, for every operation', async () => {
    const path = join(folder, 'good.mnbak');
    const other = testKey();
    await expect(reader.readManifest(path, other)).rejects.toMatchObject({ code: 'wrong_key' });
    await expect(reader.verify(path, other)).rejects.toMatchObject({ code: 'wrong_key' });
    await expect(reader.extract(path, other, join(folder, 's'))).rejects.toMatchObject({
      code: 'wrong_key',
    });
    await expect(reader.verify(path, other.subarray(0, 16))).rejects.toMatchObject({
      code: 'wrong_key',
    });
    await expect(reader.verify(path, key)).resolves.toMatchObject({ format: 1 });
  });

  it('reports any flipped bit after the magic and version as corrupt', async () => {
    const results = new Map<string, number[]>();
    for (
      let offset = 10;
      offset < good.length;
      offset += offset < HEADER_SIZE || offset > good.length - 80 ? 1 : 13
    ) {
      const bytes = Buffer.from(good);
      bytes[offset] = (bytes[offset] as number) ^ (1 << (offset % 8));
      const problem = await problemOf(bytes, key, folder);
      results.set(problem, [...(results.get(problem) ?? []), offset]);
    }
    expect([...results.keys()]).toEqual(['corrupt']);
  }, 120_000);

  it('tells a file that is no archive from a newer format', async () => {
    expect(await problemOf(Buffer.from('just some text, not a backup'), key, folder)).toBe(
      'not_an_archive',
    );
    expect(await problemOf(Buffer.alloc(0), key, folder)).toBe('not_an_archive');
    const flippedMagic = Buffer.from(good);
    flippedMagic[3] = (flippedMagic[3] as number) ^ 1;
    expect(await problemOf(flippedMagic, key, folder)).toBe('not_an_archive');
    const newer = Buffer.from(good);
    newer.writeUInt16BE(2, 8);
    expect(await problemOf(newer, key, folder)).toBe('unsupported_format');
    await writeFile(join(folder, 'newer.mnbak'), newer);
    await expect(reader.readManifest(join(folder, 'newer.mnbak'), testKey())).rejects.toThrow(
      /newer version of the app/,
    );
  });

  it('reports an archive cut short anywhere as corrupt', async () => {
    const records = dataRecords(good);
    const cuts = [
      20,
      HEADER_SIZE,
      HEADER_SIZE + 3,
      (records[2] as [number, number])[0],
      Math.floor(good.length / 2),
      good.length - TRAILER_SIZE,
      good.length - 8,
      good.length - 1,
    ];
    for (const cut of cuts) {
      expect({ cut, problem: await problemOf(good.subarray(0, cut), key, folder) }).toEqual({
        cut,
        problem: 'corrupt',
      });
    }
    // Cutting out whole chunks in the middle, keeping the end, is caught as well.
    const [, second] = records;
    const gap = Buffer.concat([
      good.subarray(0, (second as [number, number])[0]),
      good.subarray((second as [number, number])[1]),
    ]);
    expect(await problemOf(gap, key, folder)).toBe('corrupt');
  });

  it('reports reordered, duplicated and spliced chunks as corrupt', async () => {
    const [r0, r1, r2] = dataRecords(good);
    const chunk = (r: [number, number], from = good): Buffer => from.subarray(r[0], r[1]);
    const swapped = Buffer.concat([
      good.subarray(0, r1![0]),
      chunk(r2!),
      chunk(r1!),
      good.subarray(r2![1]),
    ]);
    expect(await problemOf(swapped, key, folder)).toBe('corrupt');
    const duplicated = Buffer.concat([good.subarray(0, r1![0]), chunk(r0!), good.subarray(r1![1])]);
    expect(await problemOf(duplicated, key, folder)).toBe('corrupt');
    // The same chunk position from another archive made with the same recovery key.
    await writer.write(join(folder, 'other.mnbak'), sources(), { v: 2 }, key);
    const other = await readFile(join(folder, 'other.mnbak'));
    const spliced = Buffer.concat([
      good.subarray(0, r1![0]),
      chunk(dataRecords(other)[1]!, other),
      good.subarray(r1![1]),
    ]);
    expect(await problemOf(spliced, key, folder)).toBe('corrupt');
    // Another archive's manifest and trailer on this one's data.
    const manifestStart = dataRecords(good).at(-1)![1];
    const mixed = Buffer.concat([good.subarray(0, manifestStart), other.subarray(manifestStart)]);
    expect(await problemOf(mixed, key, folder)).toBe('corrupt');
  });
});

describe('a manifest read once and held', () => {
  it('is reused for the same unchanged file, never for a damaged copy or a file changed in place', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const path = join(folder, 'held.mnbak');
    await writer.write(path, sources(), { v: 1 }, key);
    const held = await reader.readManifest(path, key);
    // A restore's later reads of the same file share it instead of parsing another copy.
    expect(await reader.readManifest(path, key)).toBe(held);
    const entries = [];
    for await (const { entry } of reader.entries(path, key)) entries.push(entry);
    expect(entries).toEqual([...held.entries]);

    // A copy with one bit flipped in its manifest: same header and trailer, another file.
    const bytes = await readFile(path);
    const manifestByte = bytes.length - TRAILER_SIZE - 20;
    bytes[manifestByte] = (bytes[manifestByte] ?? 0) ^ 0x01;
    const copy = join(folder, 'copy.mnbak');
    await writeFile(copy, bytes);
    await expect(reader.readManifest(copy, key)).rejects.toMatchObject({ code: 'corrupt' });
    await expect(reader.extract(copy, key, join(folder, 's1'))).rejects.toMatchObject({
      code: 'corrupt',
    });
    // The same file rewritten in place with the damage: its change time moves (the kernel's
    // clock for it ticks every few milliseconds, so the rewrite comes a few ticks later).
    await new Promise((resolve) => setTimeout(resolve, 30));
    await writeFile(path, bytes);
    await expect(reader.readManifest(path, key)).rejects.toMatchObject({ code: 'corrupt' });
    // verify always checks the manifest's own tags.
    await expect(reader.verify(path, key)).rejects.toMatchObject({ code: 'corrupt' });
    expect(held.entries.length).toBeGreaterThan(0);
  });
});

describe('verifying an archive against the manifest just written', () => {
  it('passes only when the file holds exactly that manifest, every tag checked', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const path = join(folder, 'fresh.mnbak');
    const { manifest } = await writer.write(path, sources(), { v: 1 }, key);
    expect(await reader.verify(path, key, undefined, {}, manifest)).toBe(manifest);

    const other = {
      ...manifest,
      entries: EntryTable.from(
        [...manifest.entries].map((e, i) => (i === 1 ? { ...e, sha256: '0'.repeat(64) } : e)),
      ),
    };
    await expect(reader.verify(path, key, undefined, {}, other)).rejects.toMatchObject({
      code: 'corrupt',
    });
    const bytes = await readFile(path);
    const at = bytes.length - TRAILER_SIZE - 20;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    await writeFile(path, bytes);
    await expect(reader.verify(path, key, undefined, {}, manifest)).rejects.toMatchObject({
      code: 'corrupt',
    });
  });
});
