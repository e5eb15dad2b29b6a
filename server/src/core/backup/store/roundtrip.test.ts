import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  generated,
  openStore,
  rename,
  restoredDigest,
  sha256Of,
  tempFolder,
  testKey,
  treeDigest,
  treeEntries,
  writeTree,
} from './store.test-support.js';
import { SNAPSHOTS } from './store-layout.js';

async function bigFile(path: string, size: number, seed: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const piece of generated(size, seed)) chunks.push(piece as Buffer);
  await writeFile(path, Buffer.concat(chunks));
}

describe('the backup store, written and read back', () => {
  it('restores each of two backups byte for byte after files were added, changed, renamed and deleted', async () => {
    const source = join(await tempFolder(), 'uploads');
    await writeTree(source, {
      'a.txt': 'first version of a',
      'keep.txt': 'unchanged',
      'gone.txt': 'deleted before the second backup',
      'photos/cat.jpg': Buffer.alloc(70_000, 7),
      'empty.txt': '',
    });
    await bigFile(join(source, 'video.mp4'), 3 * 1024 * 1024 + 17, 'video');
    await mkdir(join(source, 'empty-folder'));
    await chmod(join(source, 'keep.txt'), 0o600);
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    await store.write('b1', treeEntries(source, 'files/uploads'), { n: 1 });
    const first = await treeDigest(source);

    await writeFile(join(source, 'a.txt'), 'second version of a, longer');
    await writeFile(join(source, 'added.txt'), 'new in the second backup');
    await rename(join(source, 'video.mp4'), join(source, 'photos', 'renamed.mp4'));
    await rm(join(source, 'gone.txt'));
    await store.write('b2', treeEntries(source, 'files/uploads'), { n: 2 });
    const second = await treeDigest(source);

    const prefix = (digest: Record<string, string>): Record<string, string> =>
      Object.fromEntries(
        Object.entries(digest).map(([path, value]) => [`files/uploads/${path}`, value]),
      );
    const one = await restoredDigest(store, 'b1');
    const two = await restoredDigest(store, 'b2');
    expect(one).toMatchObject(prefix(first));
    expect(two).toMatchObject(prefix(second));
    expect(Object.keys(two)).not.toContain('files/uploads/gone.txt');
    expect(two['files/uploads/keep.txt']).toMatch(/ 600$/);
    expect(await store.list()).toEqual(['b1', 'b2']);
  });

  it('gives the manifest and each file as a checked stream, as format 1 does', async () => {
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    const dump = generated(2 * 1024 * 1024, 'dump');
    const written = await store.write(
      'nightly',
      [
        { kind: 'file', path: 'db/medianest.dump', mode: 0o600, open: async () => dump },
        { kind: 'dir', path: 'config', mode: 0o755 },
        { kind: 'file', path: 'config/settings.json', open: async () => Buffer.from('{"a":1}') },
      ],
      { appVersion: '1.2.3', rowCounts: { users: 3 } },
      { now: () => new Date('2026-12-01T02:00:00Z') },
    );
    const manifest = await store.readManifest('nightly');
    expect(manifest).toMatchObject({
      format: 2,
      createdAt: '2026-12-01T02:00:00.000Z',
      meta: { appVersion: '1.2.3', rowCounts: { users: 3 } },
    });
    expect([...manifest.entries]).toEqual([...written.manifest.entries]);
    const seen: Record<string, string> = {};
    for await (const { entry, stream } of store.entries('nightly')) {
      if (stream) seen[entry.path] = await sha256Of(stream);
    }
    expect(seen).toEqual({
      'db/medianest.dump': await sha256Of(generated(2 * 1024 * 1024, 'dump')),
      'config/settings.json': await sha256Of(Buffer.from('{"a":1}')),
    });
  });

  it('gives a named entry to its consumer while extracting the rest, in one pass', async () => {
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    await store.write(
      'b',
      [
        {
          kind: 'file',
          path: 'db/medianest.dump',
          open: async () => Readable.from(['dump bytes']),
        },
        { kind: 'file', path: 'files/uploads/x', open: async () => Buffer.from('x') },
      ],
      {},
    );
    const staging = join(await tempFolder(), 'staging');
    let consumed = '';
    await store.extract('b', staging, {
      prefixes: ['files'],
      consume: {
        'db/medianest.dump': async (stream) => {
          for await (const piece of stream) consumed += String(piece);
        },
      },
    });
    expect(consumed).toBe('dump bytes');
    expect(await readFile(join(staging, 'files/uploads/x'), 'utf8')).toBe('x');
    expect(await treeDigest(staging)).not.toHaveProperty(['db/medianest.dump']);
  });

  it('refuses a second backup of the same name, a name that is a path, and a wrong key', async () => {
    const root = join(await tempFolder(), 'store');
    const key = testKey();
    const store = await openStore(root, key);
    await store.write('b', [{ kind: 'dir', path: 'd' }], {});
    await expect(store.write('b', [{ kind: 'dir', path: 'd' }], {})).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(store.write('../b', [], {})).rejects.toMatchObject({
      code: 'validation_failed',
      details: { field: 'name' },
    });
    await expect(store.extract(`../${SNAPSHOTS}/b`, root)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(openStore(root, testKey())).rejects.toMatchObject({ code: 'wrong_key' });
    await expect(store.readManifest('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('leaves no backup when a source fails, and the next one succeeds', async () => {
    const store = await openStore(join(await tempFolder(), 'store'), testKey());
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('pg_dump exited with 1'), { code: 'EPIPE' }));
      },
    });
    await expect(
      store.write('b', [{ kind: 'file', path: 'db', open: async () => failing }], {}),
    ).rejects.toMatchObject({ code: 'backup_failed' });
    expect(await store.list()).toEqual([]);
    await store.write('b', [{ kind: 'file', path: 'db', open: async () => Buffer.from('ok') }], {});
    expect(await store.list()).toEqual(['b']);
  });
});
