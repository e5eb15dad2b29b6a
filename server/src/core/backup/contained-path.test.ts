import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from './archive/fixtures.test-support.js';
import { containedPath } from './contained-path.js';
import { snapshotTree } from './restore-harness.test-support.js';
import { swapIn, swapLayout } from './restore-swap.js';

describe('a path built from an archive value', () => {
  it('stays inside its folder, nested names included', async () => {
    const root = await tempFolder();
    await expect(containedPath(root, 'certbot/conf', 'f')).resolves.toBe(
      join(root, 'certbot', 'conf'),
    );
  });

  it.each([
    ['..', 'lies outside'],
    ['../x', 'lies outside'],
    ['a/../../x', 'lies outside'],
    ['.', 'lies outside'],
    ['', 'lies outside'],
    ['/etc', 'absolute'],
    ['a\0b', 'NUL'],
  ])('refuses %j, naming the field', async (name, why) => {
    const root = await tempFolder();
    const refused = containedPath(join(root, 'data'), name, 'meta.folders');
    await expect(refused).rejects.toMatchObject({
      code: 'unsafe_entry',
      details: { field: 'meta.folders' },
    });
    await expect(refused).rejects.toThrow(why);
  });

  it('refuses a name under a link, which would lead out of the folder', async () => {
    const root = await tempFolder();
    await mkdir(join(root, 'data'));
    await mkdir(join(root, 'elsewhere', 'conf'), { recursive: true });
    await symlink(join(root, 'elsewhere'), join(root, 'data', 'certbot'));
    await expect(containedPath(join(root, 'data'), 'certbot/conf', 'folder')).rejects.toThrow(
      'under a link',
    );
  });
});

describe('swapping in a folder whose name climbs out', () => {
  it('moves nothing, not even the honest folders listed before it', async () => {
    const root = await tempFolder();
    const layout = swapLayout(join(root, 'data'));
    await mkdir(join(root, 'data', 'uploads'), { recursive: true });
    await mkdir(join(root, 'victim'));
    await writeFile(join(root, 'victim', 'file'), 'host');
    for (const name of ['uploads', 'x'])
      await mkdir(join(layout.staging, name), { recursive: true });
    const before = await snapshotTree(root);
    await expect(
      swapIn(layout, [
        { name: 'uploads', staged: join(layout.staging, 'uploads') },
        { name: '../victim', staged: join(layout.staging, 'x') },
      ]),
    ).rejects.toMatchObject({ code: 'unsafe_entry' });
    expect(await snapshotTree(root)).toEqual(before);
  });
});
