import { describe, expect, it } from 'vitest';
import type { Manifest } from './archive/format.js';
import { createArchiveReader } from './archive/reader.js';
import { EntryTable } from './archive/entry-table.js';
import { restoreTest, type ScratchEngine } from './restore-test.js';

describe('the restore test of an archive whose metadata is hostile', () => {
  it('refuses it, naming the field, before any scratch container starts', async () => {
    const opened: string[] = [];
    const engine: ScratchEngine = {
      open: (images) => {
        opened.push(images.postgres);
        return Promise.reject(new Error('no engine in this test'));
      },
    };
    const manifest: Manifest = {
      format: 1,
      createdAt: new Date(0).toISOString(),
      entries: new EntryTable(),
      meta: { rowCounts: { 'public.t': '12' } },
    };
    const run = restoreTest(
      { engine, reader: createArchiveReader(), images: { postgres: 'pg', redis: 'redis' } },
      { path: '/nonexistent', key: new Uint8Array(32), manifest },
      () => undefined,
    );
    await expect(run).rejects.toMatchObject({
      code: 'unsafe_entry',
      details: { field: 'meta.rowCounts["public.t"]' },
    });
    expect(opened).toEqual([]);
  });
});
