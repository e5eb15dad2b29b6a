import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { tempFolder, testKey } from './archive/fixtures.test-support.js';
import { restoreService, snapshotTree, writeArchive } from './restore-harness.test-support.js';

const owner = { uid: 1001, gid: 1001, mode: 0o750 };
const asRoot = process.getuid?.() === 0;

/**
 * A host with a data folder and, beside it, a folder no restore may touch (`victim`), plus an
 * archive with the right key whose meta is `meta`.
 */
async function host(meta: Record<string, unknown>) {
  const root = await tempFolder();
  const dataDir = join(root, 'data');
  const victim = join(root, 'victim');
  await mkdir(join(dataDir, 'uploads'), { recursive: true });
  await writeFile(join(dataDir, 'uploads', 'live.txt'), 'live upload');
  await mkdir(join(victim, 'keep'), { recursive: true });
  await writeFile(join(victim, 'keep', 'secret.txt'), 'host file', { mode: 0o600 });
  await chmod(victim, 0o711);
  if (asRoot) await chown(victim, 0, 0);
  const archive = join(root, 'hostile.mnbackup');
  const key = testKey();
  await writeArchive(archive, key, { postgresMajor: 16, redisAppendOnly: false, ...meta });
  return { root, dataDir, victim, source: { file: archive, key } };
}

const folders = (value: unknown) => ({ folders: value });

const hostile: Array<{ name: string; meta: Record<string, unknown>; field: string }> = [
  {
    name: 'a ".." folder name',
    meta: folders({ '../victim': owner }),
    field: 'meta.folders["../victim"]',
  },
  {
    name: 'a ".." inside a known name',
    meta: folders({ 'uploads/../../victim': owner }),
    field: 'meta.folders["uploads/../../victim"]',
  },
  { name: 'an absolute path', meta: folders({ '/etc': owner }), field: 'meta.folders["/etc"]' },
  {
    name: 'an unknown folder name',
    meta: folders({ postgres: owner }),
    field: 'meta.folders.postgres',
  },
  { name: 'an empty folder name', meta: folders({ '': owner }), field: 'meta.folders[""]' },
  {
    name: 'a negative uid',
    meta: folders({ uploads: { ...owner, uid: -1 } }),
    field: 'meta.folders.uploads.uid',
  },
  {
    name: 'a huge uid',
    meta: folders({ uploads: { ...owner, uid: 2 ** 32 } }),
    field: 'meta.folders.uploads.uid',
  },
  {
    name: 'a huge gid',
    meta: folders({ uploads: { ...owner, gid: 1e21 } }),
    field: 'meta.folders.uploads.gid',
  },
  {
    name: 'a fractional gid',
    meta: folders({ uploads: { ...owner, gid: 1.5 } }),
    field: 'meta.folders.uploads.gid',
  },
  {
    name: 'a uid as text',
    meta: folders({ uploads: { ...owner, uid: '0' } }),
    field: 'meta.folders.uploads.uid',
  },
  {
    name: 'a missing gid',
    meta: folders({ uploads: { uid: 0, mode: 0o700 } }),
    field: 'meta.folders.uploads.gid',
  },
  {
    name: 'a setuid mode',
    meta: folders({ uploads: { ...owner, mode: 0o4755 } }),
    field: 'meta.folders.uploads.mode',
  },
  {
    name: 'a mode over 0o7777',
    meta: folders({ uploads: { ...owner, mode: 0o17777 } }),
    field: 'meta.folders.uploads.mode',
  },
  {
    name: 'a negative mode',
    meta: folders({ uploads: { ...owner, mode: -1 } }),
    field: 'meta.folders.uploads.mode',
  },
  {
    name: 'an extra field in an owner',
    meta: folders({ uploads: { ...owner, path: '/etc' } }),
    field: 'meta.folders.uploads.path',
  },
  { name: 'folders as a list', meta: folders([['../victim', owner]]), field: 'meta.folders' },
  { name: 'folders as text', meta: folders('../victim'), field: 'meta.folders' },
  { name: 'an owner as null', meta: folders({ uploads: null }), field: 'meta.folders.uploads' },
  {
    name: 'a PostgreSQL version as text',
    meta: { postgresMajor: '16' },
    field: 'meta.postgresMajor',
  },
  { name: 'a negative row count', meta: { rowCounts: { t: -1 } }, field: 'meta.rowCounts.t' },
  { name: 'appendonly as text', meta: { redisAppendOnly: 'yes' }, field: 'meta.redisAppendOnly' },
];

describe('a restore of an archive whose metadata is hostile', () => {
  it.each(hostile)(
    'refuses $name, naming the field, and changes nothing',
    async ({ meta, field }) => {
      const { root, source } = await host(meta);
      const before = await snapshotTree(root);
      const restore = restoreService(join(root, 'data'));
      const failure = await restore.restore(source).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ code: 'unsafe_entry', details: { field } });
      expect((failure as AppError).message).toContain(field);
      expect(await snapshotTree(root)).toEqual(before);
    },
  );

  it('refuses the same metadata in the preflight, which changes nothing either', async () => {
    const { root, source } = await host(folders({ '../victim': owner }));
    const before = await snapshotTree(root);
    await expect(restoreService(join(root, 'data')).preflight(source)).rejects.toMatchObject({
      code: 'unsafe_entry',
    });
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('restores honest metadata through the same code: the folder is swapped in with its owner', async () => {
    const { root, dataDir, victim, source } = await host(folders({ uploads: owner }));
    const victimBefore = await snapshotTree(victim);
    await restoreService(dataDir).restore(source);
    expect(await readFile(join(dataDir, 'uploads', 'restored.txt'), 'utf8')).toBe(
      'from the archive',
    );
    await expect(stat(join(dataDir, 'uploads', 'live.txt'))).rejects.toThrow();
    if (asRoot) expect((await stat(join(dataDir, 'uploads'))).uid).toBe(owner.uid);
    expect(await snapshotTree(victim)).toEqual(victimBefore);
    expect(await snapshotTree(root)).not.toContain(join(dataDir, '.restore-staging'));
  });

  it('refuses an archive larger than the free space before staging anything', async () => {
    const { root, dataDir, source } = await host(folders({ uploads: owner }));
    const before = await snapshotTree(root);
    const restore = restoreService(dataDir, { freeBytes: 1024 });
    const failure = restore.restore(source);
    await expect(failure).rejects.toMatchObject({ code: 'insufficient_space' });
    await expect(failure).rejects.toThrow(/free in .*data.*needs/);
    expect(await snapshotTree(root)).toEqual(before);
    await expect(restore.preflight(source)).resolves.toMatchObject({
      restorable: false,
      refusal: expect.stringMatching(/free in .*needs/) as unknown,
    });
  });
});
