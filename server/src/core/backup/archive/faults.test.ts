import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EntrySource } from './format.js';
import { cleanArchiveLeftovers } from './files.js';
import { createArchiveReader } from './reader.js';
import { createArchiveWriter } from './writer.js';
import { generated, tempFolder, testKey } from './fixtures.test-support.js';

const writer = createArchiveWriter();

/** A stream that gives `good` bytes and then fails with `error`, as a dump that dies half-way. */
function failingAfter(good: number, error: NodeJS.ErrnoException): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) return void this.destroy(error);
      sent = true;
      this.push(Buffer.alloc(good, 1));
    },
  });
}

const before: EntrySource[] = [
  { kind: 'file', path: 'first.txt', open: async () => Readable.from(['ok']) },
];

describe('a backup write that does not finish', () => {
  it('leaves neither the final name nor a partial file when aborted mid-way', async () => {
    const folder = await tempFolder();
    await writeFile(join(folder, 'older.mnbak'), 'an older backup');
    const controller = new AbortController();
    const write = writer.write(
      join(folder, 'new.mnbak'),
      [
        ...before,
        { kind: 'file', path: 'big', open: async () => generated(200 * 1024 * 1024, 'b') },
      ],
      {},
      testKey(),
      (progress) => {
        if (progress.bytes > 5 * 1024 * 1024) controller.abort(new Error('user cancelled'));
      },
      controller.signal,
    );
    await expect(write).rejects.toMatchObject({ code: 'backup_failed' });
    await expect(write).rejects.toThrow(/cancelled/);
    expect(await readdir(folder)).toEqual(['older.mnbak']);
  }, 120_000);

  it('stops a stalled source when aborted', async () => {
    const folder = await tempFolder();
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    const write = writer.write(
      join(folder, 'new.mnbak'),
      [{ kind: 'file', path: 'stalled', open: async () => stalled }],
      {},
      testKey(),
      undefined,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 20);
    await expect(write).rejects.toMatchObject({ code: 'backup_failed' });
    expect(await readdir(folder)).toEqual([]);
  });

  it('removes the partial file when an entry stream errors or cannot be opened', async () => {
    const folder = await tempFolder();
    const broken = Object.assign(new Error('pg_dump exited with 1'), { code: 'EPIPE' });
    await expect(
      writer.write(
        join(folder, 'a.mnbak'),
        [
          ...before,
          { kind: 'file', path: 'db', open: async () => failingAfter(3_000_000, broken) },
        ],
        {},
        testKey(),
      ),
    ).rejects.toMatchObject({ code: 'backup_failed', details: { errno: 'EPIPE' } });
    await expect(
      writer.write(
        join(folder, 'b.mnbak'),
        [
          ...before,
          { kind: 'file', path: 'db', open: () => Promise.reject(new Error('no such container')) },
        ],
        {},
        testKey(),
      ),
    ).rejects.toMatchObject({ code: 'backup_failed' });
    expect(await readdir(folder)).toEqual([]);
  });

  it('reports a full disk as insufficient_space and removes the partial file', async () => {
    const folder = await tempFolder();
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    const write = writer.write(
      join(folder, 'a.mnbak'),
      [{ kind: 'file', path: 'db', open: async () => failingAfter(2_000_000, full) }],
      {},
      testKey(),
    );
    await expect(write).rejects.toMatchObject({ code: 'insufficient_space' });
    await expect(write).rejects.toThrow(/disk is full/);
    expect(await readdir(folder)).toEqual([]);
  });

  it('refuses entries it must never write, before creating anything', async () => {
    const folder = await tempFolder();
    for (const path of ['../escape', '/abs', 'a//b', 'C:\\x']) {
      await expect(
        writer.write(join(folder, 'a.mnbak'), [{ kind: 'dir', path }], {}, testKey()),
      ).rejects.toMatchObject({ code: 'unsafe_entry' });
    }
    await expect(
      writer.write(
        join(folder, 'a.mnbak'),
        [
          { kind: 'dir', path: 'd' },
          { kind: 'dir', path: 'd' },
        ],
        {},
        testKey(),
      ),
    ).rejects.toMatchObject({ code: 'unsafe_entry' });
    expect(await readdir(folder)).toEqual([]);
  });

  it('cleans the leftovers of an interrupted write, and only those', async () => {
    const folder = await tempFolder();
    await writeFile(join(folder, '.nightly.mnbak.partial'), 'half');
    await writeFile(join(folder, 'nightly-older.mnbak'), 'complete');
    await writeFile(join(folder, 'notes.partial'), 'not ours: not hidden');
    expect(await cleanArchiveLeftovers(folder)).toEqual(['.nightly.mnbak.partial']);
    expect((await readdir(folder)).sort()).toEqual(['nightly-older.mnbak', 'notes.partial']);
    expect(await cleanArchiveLeftovers(join(folder, 'missing'))).toEqual([]);
  });

  it('keeps a finished archive readable after leftovers are cleaned beside it', async () => {
    const folder = await tempFolder();
    const key = testKey();
    await writer.write(join(folder, 'done.mnbak'), before, {}, key);
    await writeFile(join(folder, '.next.mnbak.partial'), 'crash');
    await cleanArchiveLeftovers(folder);
    await expect(
      createArchiveReader().verify(join(folder, 'done.mnbak'), key),
    ).resolves.toMatchObject({ format: 1 });
  });
});
