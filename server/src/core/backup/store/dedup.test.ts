import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SMALL_PIECES,
  bytesOf,
  openStore,
  rename,
  restoredDigest,
  tempFolder,
  testKey,
  treeDigest,
  treeEntries,
  writeTree,
} from './store.test-support.js';

/** What the store takes on disk: the sizes of all its files. */
async function diskBytes(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function allStoreBytes(root: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

describe('deduplication', () => {
  it('stores a renamed and a copied file once: the second backup adds no piece', async () => {
    const source = join(await tempFolder(), 'uploads');
    const small: Record<string, string> = {};
    for (let i = 0; i < 20; i += 1) small[`notes/${i}.txt`] = `note ${i} `.repeat(50);
    await writeTree(source, small);
    await writeFile(join(source, 'movie.mkv'), await bytesOf(4 * 1024 * 1024, 'movie'));
    const root = join(await tempFolder(), 'store');
    const store = await openStore(root, testKey());
    const first = await store.write('b1', treeEntries(source, 'files/uploads'), {});
    const afterFirst = await diskBytes(root);
    expect(afterFirst).toBeGreaterThan(4 * 1024 * 1024);

    await rename(join(source, 'movie.mkv'), join(source, 'movie-renamed.mkv'));
    await copyFile(join(source, 'movie-renamed.mkv'), join(source, 'copy-1.mkv'));
    await copyFile(join(source, 'movie-renamed.mkv'), join(source, 'copy-2.mkv'));
    await copyFile(join(source, 'notes/3.txt'), join(source, 'notes/3-copy.txt'));
    const second = await store.write('b2', treeEntries(source, 'files/uploads'), {});

    expect(second.summary.bytes).toBe(
      first.summary.bytes + 2 * 4 * 1024 * 1024 + Buffer.byteLength(small['notes/3.txt'] ?? ''),
    );
    expect(second.summary.addedPieces).toBe(0);
    expect(second.summary.addedBytes).toBe(0);
    // Only the second manifest is new on disk: well under 1 % of the data it describes.
    expect((await diskBytes(root)) - afterFirst).toBeLessThan(second.summary.bytes / 100);
    expect(await restoredDigest(store, 'b2')).toMatchObject(
      Object.fromEntries(
        Object.entries(await treeDigest(source)).map(([p, v]) => [`files/uploads/${p}`, v]),
      ),
    );
  });

  it('stores only the pieces around a change inside a large file (content-defined cuts)', async () => {
    const source = join(await tempFolder(), 'db');
    const original = await bytesOf(2 * 1024 * 1024, 'dump');
    await writeTree(source, { 'medianest.dump': original });
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    const options = { chunker: SMALL_PIECES };
    await store.write('b1', treeEntries(source, 'db'), {}, options);
    // 100 bytes inserted near the start shift everything after them; a few bytes changed later.
    const changed = Buffer.concat([
      original.subarray(0, 1000),
      Buffer.alloc(100, 0x41),
      original.subarray(1000),
    ]);
    changed.fill(0x42, 1_500_000, 1_500_010);
    await writeFile(join(source, 'medianest.dump'), changed);
    const second = await store.write('b2', treeEntries(source, 'db'), {}, options);
    expect(second.summary.addedBytes).toBeGreaterThan(0);
    expect(second.summary.addedBytes).toBeLessThan(changed.length / 10);
    const restored = await restoredDigest(store, 'b2');
    expect(restored['db/medianest.dump']).toBe(
      `${createHash('sha256').update(changed).digest('hex')} 644`,
    );
  });

  it('reports per backup the space it needs and the space only it uses', async () => {
    const source = join(await tempFolder(), 'src');
    const shared = await bytesOf(1024 * 1024, 'shared');
    const onlyFirst = await bytesOf(300 * 1024, 'only-first');
    const onlySecond = await bytesOf(500 * 1024, 'only-second');
    await writeTree(source, { 'shared.bin': shared, 'one.bin': onlyFirst });
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    await store.write('b1', treeEntries(source, 'f'), {});
    await writeTree(source, { 'one.bin': onlySecond });
    await store.write('b2', treeEntries(source, 'f'), {});

    const { backups, storedBytes, unusedBytes } = await store.figures();
    const [one, two] = backups;
    const near = (value: number | undefined, expected: number): void => {
      expect(value).toBeGreaterThanOrEqual(expected);
      expect(value).toBeLessThan(expected + 16 * 1024);
    };
    near(one?.totalBytes, shared.length + onlyFirst.length);
    near(one?.ownBytes, onlyFirst.length);
    near(two?.ownBytes, onlySecond.length);
    near(two?.addedBytes, onlySecond.length);
    expect(one?.plainBytes).toBe(shared.length + onlyFirst.length);
    near(storedBytes, shared.length + onlyFirst.length + onlySecond.length);
    expect(unusedBytes).toBe(0);

    await store.delete(['b1'], { repackThreshold: 0 });
    const after = await store.figures();
    expect(after.backups.map((b) => b.name)).toEqual(['b2']);
    near(after.backups[0]?.ownBytes, shared.length + onlySecond.length);
    near(after.storedBytes, shared.length + onlySecond.length);
  });

  it('keeps no plain content and no plain hash of it on disk; another key cuts and names differently', async () => {
    const source = join(await tempFolder(), 'src');
    const secret = Buffer.from('the contents of a private upload, stored in the clear nowhere');
    const large = await bytesOf(1024 * 1024, 'large');
    await writeTree(source, { 'private.txt': secret, 'large.bin': large });
    const rootA = join(await tempFolder(), 'a');
    const rootB = join(await tempFolder(), 'b');
    for (const root of [rootA, rootB]) {
      const store = await openStore(root, testKey());
      await store.write('b', treeEntries(source, 'f'), {}, { chunker: SMALL_PIECES });
    }
    const disk = await allStoreBytes(rootA);
    for (const content of [secret, large.subarray(0, 4096)]) {
      const digest = createHash('sha256').update(content).digest();
      expect(disk.includes(content.subarray(0, 32))).toBe(false);
      expect(disk.includes(digest)).toBe(false);
      expect(disk.includes(Buffer.from(digest.toString('hex')))).toBe(false);
    }
    expect(disk.includes(Buffer.from('private.txt'))).toBe(false);
    // Different keys: the stores share no 32-byte run (ids, tables and sealed bytes all differ).
    const other = await allStoreBytes(rootB);
    const sample = disk.subarray(2000, 2032);
    expect(other.includes(sample)).toBe(false);
  });
});
