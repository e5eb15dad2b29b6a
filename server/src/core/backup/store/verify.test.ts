import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertVerified } from './store-verify.js';
import {
  bytesOf,
  openStore,
  restoredDigest,
  tempFolder,
  testKey,
  treeEntries,
  writeTree,
} from './store.test-support.js';

async function flipByte(path: string, at: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    await file.read(one, 0, 1, at);
    one[0] = one[0]! ^ 0x01;
    await file.write(one, 0, 1, at);
  } finally {
    await file.close();
  }
}

/**
 * b1: shared.bin; b2: shared.bin and unique.bin; b3: unique.bin only. The first pack holds
 * shared.bin's pieces and nothing else; returns its name. unique.bin is one piece.
 */
async function threeBackups(): Promise<{ root: string; key: Uint8Array; sharedPack: string }> {
  const source = join(await tempFolder(), 'src');
  const root = join(await tempFolder(), 'store');
  const key = testKey();
  const store = await openStore(root, key);
  await writeTree(source, { 'shared.bin': await bytesOf(1024 * 1024, 'shared') });
  await store.write('b1', treeEntries(source, 'f'), {});
  const [sharedPack] = await readdir(join(root, 'packs'));
  // Under MIN_PIECE: one piece whatever the key (a 700 KiB file was cut in two by a third of keys).
  await writeTree(source, { 'unique.bin': await bytesOf(500 * 1024, 'unique') });
  await store.write('b2', treeEntries(source, 'f'), {});
  await rm(join(source, 'shared.bin'));
  await store.write('b3', treeEntries(source, 'f'), {});
  return { root, key, sharedPack: sharedPack as string };
}

describe('verifying a backup of the store', () => {
  it('passes when every piece is intact, reading shared pieces too', async () => {
    const { root, key } = await threeBackups();
    const store = await openStore(root, key);
    const result = await store.verify('b2');
    expect(result).toMatchObject({ ok: true, files: 2, damaged: [], affectedBackups: [] });
    expect(result.bytes).toBe(1024 * 1024 + 500 * 1024);
  });

  it('finds a flipped byte in a shared piece and names every backup that needs it', async () => {
    const { root, key, sharedPack } = await threeBackups();
    await flipByte(join(root, 'packs', sharedPack), 48 + 5 + 1000);
    const store = await openStore(root, key);

    const second = await store.verify('b2');
    expect(second.ok).toBe(false);
    expect(second.damaged).toHaveLength(1);
    expect(second.damaged[0]).toMatchObject({
      files: ['f/shared.bin'],
      problem: expect.stringMatching(/fails its authentication tag/) as unknown,
    });
    expect(second.affectedBackups).toEqual(['b1', 'b2']);
    expect(() => assertVerified(second)).toThrow(/b1, b2/);
    expect((await store.verify('b1')).affectedBackups).toEqual(['b1', 'b2']);
    expect(await store.verify('b3')).toMatchObject({ ok: true, affectedBackups: [] });

    await expect(restoredDigest(store, 'b2')).rejects.toMatchObject({ code: 'corrupt' });
    expect(Object.keys(await restoredDigest(store, 'b3'))).toContain('f/unique.bin');
  });

  it('names the backups that need a pack that is gone', async () => {
    const { root, key, sharedPack } = await threeBackups();
    const others = (await readdir(join(root, 'packs'))).filter((name) => name !== sharedPack);
    for (const name of others) await rm(join(root, 'packs', name));
    const store = await openStore(root, key);
    const result = await store.verify('b3');
    expect(result.ok).toBe(false);
    expect(result.damaged[0]?.problem).toMatch(/missing/);
    expect(result.affectedBackups).toEqual(['b2', 'b3']);
    await expect(store.readManifest('b3')).rejects.toThrow(
      /needs 1 piece\(s\) the backup store does not hold \(first in f\/unique.bin\)/,
    );
    expect(await store.verify('b1')).toMatchObject({ ok: true });
  });

  it('refuses a backup whose manifest was changed, and keeps working from the packs when an index is damaged', async () => {
    const { root, key } = await threeBackups();
    await flipByte(join(root, 'snapshots', 'b1'), 100);
    for (const name of await readdir(join(root, 'index'))) {
      await flipByte(join(root, 'index', name), 60);
    }
    const store = await openStore(root, key);
    await expect(store.verify('b1')).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/backup b1 fails its authentication tag/) as unknown,
    });
    expect(store.problems.length).toBeGreaterThan(0);
    expect(await store.verify('b2')).toMatchObject({ ok: true });
    expect(Object.keys(await restoredDigest(store, 'b2'))).toEqual(
      expect.arrayContaining(['f/shared.bin', 'f/unique.bin']),
    );
  });
});
