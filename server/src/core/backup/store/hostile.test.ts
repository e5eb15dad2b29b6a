import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../archive/entry-table.js';
import { SealedFileWriter } from './sealed-file.js';
import { encodeEntry, encodeHead, encodeSummary } from './snapshot.js';
import { pieceId } from './store-crypto.js';
import { SNAPSHOTS, commitFile, partialOf } from './store-layout.js';
import { contextOf, openStore, tempFolder, testKey } from './store.test-support.js';

const SHA = 'ab'.repeat(32);
const file = (path: string, size: number): ManifestEntry => ({
  path,
  kind: 'file',
  size,
  sha256: SHA,
  mode: 0o644,
});

/** A store holding one real piece ('hello'), and a way to add crafted snapshots with the real key. */
async function storeWithCraft() {
  const root = join(await tempFolder(), 'store');
  const key = testKey();
  const store = await openStore(root, key);
  await store.write(
    'real',
    [{ kind: 'file', path: 'x', open: async () => Buffer.from('hello') }],
    {},
  );
  const ctx = await contextOf(root, key);
  const hello = pieceId(ctx.keys, Buffer.from('hello'));
  const craft = async (name: string, entries: Buffer[], summary?: object): Promise<void> => {
    const writer = await SealedFileWriter.create(
      ctx.files,
      partialOf(ctx, SNAPSHOTS, name),
      'snapshot',
      ctx.keys,
    );
    await writer.push(encodeHead({ format: 2, createdAt: new Date().toISOString(), meta: {} }));
    for (const entry of entries) await writer.push(entry);
    await writer.push(
      encodeSummary({
        entries: entries.length,
        bytes: 5,
        addedPieces: 0,
        addedBytes: 0,
        ...summary,
      }),
    );
    await writer.finish();
    await commitFile(ctx, SNAPSHOTS, name);
  };
  return { root, key, store, hello, craft };
}

describe('a hostile manifest in the store', () => {
  it.each([
    ['a path that climbs out', '../escape', 'unsafe_entry', /"\.\.\/escape": a "\.\." segment/],
    ['an absolute path', '/etc/cron.d/x', 'unsafe_entry', /an absolute path/],
    ['a drive letter', 'C:/Windows/x', 'unsafe_entry', /a drive letter/],
    ['a backslash', 'a\\..\\b', 'unsafe_entry', /a backslash/],
    ['a path 60 folders deep', `${'d/'.repeat(59)}x`, 'unsafe_entry', /deeper than 48 folders/],
  ])('is refused before anything is extracted: %s', async (_what, path, code, message) => {
    const { store, hello, craft } = await storeWithCraft();
    await craft('evil', [encodeEntry(file(path, 5), hello)]);
    const staging = join(await tempFolder(), 'staging');
    await expect(store.extract('evil', staging)).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message) as unknown,
    });
    await expect(stat(staging)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses links and devices, paths listed twice, and impossible sizes', async () => {
    const { store, hello, craft } = await storeWithCraft();
    const link = encodeEntry(file('link', 5), hello);
    link[1] = 3;
    await craft('link', [link]);
    await craft('twice', [encodeEntry(file('f', 5), hello), encodeEntry(file('f', 5), hello)], {
      bytes: 10,
    });
    await craft('huge', [encodeEntry(file('big', 3 * 1024 ** 4), hello)], { bytes: 3 * 1024 ** 4 });
    await craft('lying', [encodeEntry(file('f', 10), hello)], { bytes: 10 });
    await craft('pieces', [encodeEntry(file('f', 1), Buffer.concat([hello, hello]))], { bytes: 1 });
    const staging = join(await tempFolder(), 'staging');
    const refused = async (name: string, code: string, message: RegExp): Promise<void> => {
      await expect(store.extract(name, staging)).rejects.toMatchObject({
        code,
        message: expect.stringMatching(message) as unknown,
      });
    };
    await refused('link', 'unsafe_entry', /a link, device or other special file/);
    await refused('twice', 'unsafe_entry', /"f": listed twice/);
    await refused(
      'huge',
      'unsafe_entry',
      /3298534883328 bytes, more than the 2199023255552 allowed/,
    );
    await refused('lying', 'corrupt', /says f has 10 bytes, but its pieces hold 5/);
    await refused('pieces', 'corrupt', /impossible number of pieces \(2\)/);
    await expect(stat(staging)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses pieces the store does not hold, naming how many and the first file', async () => {
    const { store, hello, craft } = await storeWithCraft();
    await craft(
      'unknown',
      [encodeEntry(file('ok', 5), hello), encodeEntry(file('forged', 5), randomBytes(32))],
      { bytes: 10 },
    );
    await expect(store.readManifest('unknown')).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(
        /needs 1 piece\(s\) the backup store does not hold \(first in forged\)/,
      ) as unknown,
    });
    const staging = join(await tempFolder(), 'staging');
    await expect(store.extract('unknown', staging)).rejects.toMatchObject({ code: 'corrupt' });
    await expect(stat(staging)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a manifest cut short or whose summary does not match its entries', async () => {
    const { root, store, hello, craft } = await storeWithCraft();
    await craft('summary', [encodeEntry(file('f', 5), hello)], { entries: 7 });
    await expect(store.readManifest('summary')).rejects.toThrow(
      /its summary does not match its entries/,
    );
    await craft('cut', [encodeEntry(file('f', 5), hello)]);
    const path = join(root, 'snapshots', 'cut');
    await truncate(path, (await stat(path)).size - 3);
    await expect(store.readManifest('cut')).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('never writes through a link found in staging', async () => {
    const { store } = await storeWithCraft();
    await store.write(
      'files',
      [
        { kind: 'dir', path: 'uploads' },
        { kind: 'file', path: 'uploads/a.txt', open: async () => Buffer.from('a') },
      ],
      {},
    );
    const staging = join(await tempFolder(), 'staging');
    const outside = join(await tempFolder(), 'outside');
    await mkdir(staging);
    await mkdir(outside);
    await symlink(outside, join(staging, 'uploads'));
    await expect(store.extract('files', staging)).rejects.toMatchObject({
      code: 'unsafe_entry',
      message: expect.stringMatching(/taken by a file or link/) as unknown,
    });
    expect(await readdir(outside)).toEqual([]);
  });
});
