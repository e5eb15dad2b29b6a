import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBatchError, FileBatches, removeTree } from './file-batches.js';
import { tempFolder } from './fixtures.test-support.js';

let files: FileBatches | undefined;
afterEach(async () => {
  await files?.close();
  files = undefined;
});

describe('small files through the file worker', () => {
  it('writes a batch with modes, then refuses a name that exists without touching it', async () => {
    const folder = await tempFolder();
    files = new FileBatches();
    const text = (s: string): Buffer => Buffer.from(s);
    await files.write([
      { target: join(folder, 'a.txt'), mode: 0o640, data: [text('al'), text('pha')], size: 5 },
      { target: join(folder, 'empty'), mode: 0o600, data: [], size: 0 },
    ]);
    expect(await readFile(join(folder, 'a.txt'), 'utf8')).toBe('alpha');
    expect((await stat(join(folder, 'a.txt'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(folder, 'empty'))).size).toBe(0);

    const failed = files.write([
      { target: join(folder, 'b.txt'), mode: 0o644, data: [text('b')], size: 1 },
      { target: join(folder, 'a.txt'), mode: 0o644, data: [text('x')], size: 1 },
      { target: join(folder, 'c.txt'), mode: 0o644, data: [text('c')], size: 1 },
    ]);
    await expect(failed).rejects.toBeInstanceOf(FileBatchError);
    await expect(failed).rejects.toMatchObject({ code: 'EEXIST', path: join(folder, 'a.txt') });
    expect(await readFile(join(folder, 'a.txt'), 'utf8')).toBe('alpha');
    expect(await readFile(join(folder, 'b.txt'), 'utf8')).toBe('b');
    expect(existsSync(join(folder, 'c.txt'))).toBe(false);
  });

  it('reads a batch whole, each failure in its place, never through a link, and says what grew', async () => {
    const folder = await tempFolder();
    await writeFile(join(folder, 'one'), 'first');
    await writeFile(join(folder, 'big'), Buffer.alloc(300_000, 7));
    await writeFile(join(folder, 'shrank'), 'ab');
    await writeFile(join(folder, 'grew'), 'abcdef');
    await symlink(join(folder, 'one'), join(folder, 'link'));
    files = new FileBatches();
    // Sizes as the walk found them: 'shrank' had 5 bytes then, 'grew' 3.
    const sizes: Record<string, number> = {
      one: 5,
      missing: 4,
      big: 300_000,
      link: 5,
      shrank: 5,
      grew: 3,
    };
    const [one, missing, big, link, shrank, grew] = await files.read(
      Object.entries(sizes).map(([name, size]) => ({ path: join(folder, name), size })),
    );
    expect(one?.toString()).toBe('first');
    expect(missing).toMatchObject({ code: 'ENOENT' });
    expect(big).toEqual(Buffer.alloc(300_000, 7));
    expect(link).toMatchObject({ code: 'ELOOP' });
    expect(shrank?.toString()).toBe('ab');
    expect(grew).toBeUndefined();
  });

  it('tells folders, files and links apart', async () => {
    const folder = await tempFolder();
    await mkdir(join(folder, 'd'));
    await writeFile(join(folder, 'f'), 'xyz');
    await symlink('f', join(folder, 'l'));
    files = new FileBatches();
    const stats = await files.stat(['d', 'f', 'l', 'gone'].map((name) => join(folder, name)));
    expect(stats.slice(0, 3).map((s) => ('kind' in s ? s.kind : s.code))).toEqual([
      'dir',
      'file',
      'other',
    ]);
    expect(stats[1]).toMatchObject({ size: 3 });
    expect(stats[3]).toMatchObject({ code: 'ENOENT' });
  });
});

describe('removeTree', () => {
  it('removes a deep tree with many files, removing links but not what they point to', async () => {
    const folder = await tempFolder();
    const outside = join(folder, 'outside.txt');
    await writeFile(outside, 'keep me');
    const root = join(folder, 'tree');
    for (const sub of ['a', 'a/b', 'a/b/c', 'd']) await mkdir(join(root, sub), { recursive: true });
    for (let i = 0; i < 600; i += 1) await writeFile(join(root, i % 2 ? 'a/b' : 'd', `f${i}`), 'x');
    await writeFile(join(root, 'a/b/c/deep'), 'y');
    await symlink(outside, join(root, 'a/link'));
    await symlink(join(folder), join(root, 'd/folder-link'));

    await removeTree(root);
    expect(existsSync(root)).toBe(false);
    expect(await readFile(outside, 'utf8')).toBe('keep me');
    expect((await readdir(folder)).sort()).toEqual(['outside.txt']);
    // A path that is not there is not an error; a file is removed as such.
    await removeTree(root);
    await removeTree(outside);
    expect(existsSync(outside)).toBe(false);
  });
});
