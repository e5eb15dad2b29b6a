/**
 * Retention on the store, and what a kill leaves. The store is stopped at every single call it
 * makes to the disk port during a prune (and during a backup), as a SIGKILL there would stop it:
 * nothing after that call reaches the disk, not even the clean-up of the code that was running.
 * After each kill, every remaining backup must restore byte for byte and verify, and a later prune
 * must finish the job: nothing unused left, no leftovers, one index.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupStore } from './backup-store.js';
import {
  SMALL_PIECES,
  bytesOf,
  cp,
  dyingFiles,
  openStore,
  realFiles,
  restoredDigest,
  retentionTemplate,
  tempFolder,
  testKey,
  treeEntries,
  writeTree,
  type RetentionTemplate,
} from './store.test-support.js';

const options = { chunker: SMALL_PIECES };
const key = testKey();
let template: RetentionTemplate;
let expected: Record<string, Record<string, string>>;
let source: string;

// The template outlives each test (tempFolder's are removed after every test).
beforeAll(async () => {
  template = await retentionTemplate(key, 1);
  ({ expected, source } = template);
}, 60_000);

afterAll(async () => {
  await template.remove();
});

async function copyOfTemplate(): Promise<string> {
  const root = join(await tempFolder(), 'store');
  await cp(template.root, root, { recursive: true });
  return root;
}

/** Every remaining backup restores exactly as before; b2 either is gone or restores too. */
async function assertRestorable(root: string): Promise<BackupStore> {
  const store = await openStore(root, key);
  const names = await store.list();
  expect(names).toEqual(expect.arrayContaining(['b1', 'b3']));
  for (const name of names.filter((n) => expected[n])) {
    expect(await restoredDigest(store, name)).toEqual(expected[name]);
    expect((await store.verify(name)).ok).toBe(true);
  }
  return store;
}

/** What a finished prune leaves: b1 and b3, nothing unused, no partial file, one index. */
async function assertFinished(root: string, store: BackupStore): Promise<void> {
  expect(await store.list()).toEqual(['b1', 'b3']);
  const figures = await store.figures();
  expect(figures.unusedBytes).toBe(0);
  expect(await readdir(join(root, 'tmp'))).toEqual([]);
  expect(await readdir(join(root, 'index'))).toHaveLength(1);
  for (const name of ['b1', 'b3'])
    expect(await restoredDigest(store, name)).toEqual(expected[name]);
}

describe('retention on the store', () => {
  it('deletes the middle of three backups: the other two restore byte for byte and its space is freed', async () => {
    const root = await copyOfTemplate();
    const store = await openStore(root, key);
    const before = await store.figures();
    const own = before.backups.find((b) => b.name === 'b2')?.ownBytes ?? 0;
    expect(own).toBeGreaterThan(60_000);
    const result = await store.delete(['b2'], { repackThreshold: 0 });
    expect(result).toMatchObject({ removedPacks: 2, repackedPacks: 1, writtenPacks: 1 });
    const after = await store.figures();
    // b2's own data and the lost backup's pack are gone; what b1 and b3 use is all still there.
    expect(before.storedBytes - after.storedBytes).toBeGreaterThan(own + 40_000);
    await assertFinished(root, store);
  });

  it('leaves every remaining backup restorable when killed at any disk call of a prune', async () => {
    const dry = dyingFiles(realFiles, Number.POSITIVE_INFINITY);
    const dryStore = await BackupStore.open(dry.files, await copyOfTemplate(), key);
    const opening = dry.calls.length;
    await dryStore.delete(['b2'], { repackThreshold: 0 });
    const points = dry.calls.length;
    const mutating = dry.calls.slice(opening).filter((call) => dry.mutating(call));
    expect(mutating.length).toBeGreaterThanOrEqual(10);

    const killedAt: string[] = [];
    for (let at = opening + 1; at <= points; at += 1) {
      const root = await copyOfTemplate();
      const dying = dyingFiles(realFiles, at);
      const store = await BackupStore.open(dying.files, root, key);
      // A killed process settles nothing: what counts is what it left on disk.
      await store.delete(['b2'], { repackThreshold: 0 }).catch(() => undefined);
      killedAt.push(dying.crashedAt() ?? 'not killed');
      const reopened = await assertRestorable(root);
      await reopened.delete(['b2'], { repackThreshold: 0 });
      await assertFinished(root, reopened);
    }
    // Killed during every kind of change a prune makes.
    expect([...new Set(killedAt)]).toEqual(
      expect.arrayContaining(['create', 'write', 'sync', 'rename', 'remove', 'syncFolder']),
    );
    expect(killedAt.length).toBe(points - opening);
    expect(killedAt).not.toContain('not killed');
    expect(killedAt.filter((call) => dry.mutating(call)).length).toBe(mutating.length);
  }, 300_000);

  it('leaves the earlier backups restorable when killed at any disk call of a backup', async () => {
    await writeTree(source, { 'new.bin': await bytesOf(80_000, 'new') });
    const dry = dyingFiles(realFiles, Number.POSITIVE_INFINITY);
    const dryStore = await BackupStore.open(dry.files, await copyOfTemplate(), key);
    const opening = dry.calls.length;
    await dryStore.write('b4', treeEntries(source, 'f'), {}, options);
    const points = dry.calls.length;
    expect(
      dry.calls.slice(opening).filter((call) => dry.mutating(call)).length,
    ).toBeGreaterThanOrEqual(10);
    const b4 = await restoredDigest(dryStore, 'b4');

    for (let at = opening + 1; at <= points; at += 1) {
      const root = await copyOfTemplate();
      const dying = dyingFiles(realFiles, at);
      const store = await BackupStore.open(dying.files, root, key);
      await store.write('b4', treeEntries(source, 'f'), {}, options).catch(() => undefined);
      expect(dying.crashedAt()).toBeDefined();
      const reopened = await assertRestorable(root);
      // Killed after its commit, the backup is whole; before it, it does not exist.
      if ((await reopened.list()).includes('b4')) {
        expect(await restoredDigest(reopened, 'b4')).toEqual(b4);
      } else await reopened.write('b4', treeEntries(source, 'f'), {}, options);
      await reopened.delete(['b2', 'b4'], { repackThreshold: 0 });
      await assertFinished(root, reopened);
    }
  }, 300_000);
});
