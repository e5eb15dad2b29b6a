/**
 * The folder part of a backup's entries: every regular file and folder in walk order with its
 * bytes and mode, links skipped, whether a file was read ahead (small) or streamed (large).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupEntries, treeSize, type BackupSources } from './backup-contents.js';
import { sha256Of, tempFolder } from './archive/fixtures.test-support.js';
import type { StackState } from './stack-state.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('the files of a backup', () => {
  it('lists every file and folder in order, with their bytes and modes, small and large alike', async () => {
    const home = await tempFolder();
    const data = join(home, 'data');
    const uploads = join(data, 'uploads');
    await mkdir(join(uploads, 'b'), { recursive: true });
    const files = new Map<string, Buffer>();
    // More small files than are read ahead at once, one large file in between, one in a subfolder.
    for (let i = 0; i < 150; i += 1)
      files.set(`f${String(i).padStart(3, '0')}.bin`, randomBytes(i * 37));
    files.set('f075-large.bin', randomBytes(1024 * 1024 + 5));
    files.set('b/inner.txt', Buffer.from('inner'));
    for (const [name, bytes] of files) await writeFile(join(uploads, name), bytes, { mode: 0o640 });
    await symlink('/etc/passwd', join(uploads, 'link'));
    await mkdir(join(home, 'secrets'));
    await writeFile(join(home, 'compose.yaml'), 'services: {}\n');
    const sources: BackupSources = {
      composeFile: join(home, 'compose.yaml'),
      envFile: join(home, 'missing.env'),
      secretsDir: join(home, 'secrets'),
      dataDir: data,
      folders: ['uploads'],
      settings: {},
    };
    const seen = new Map<string, { sha256: string; mode: number | undefined }>();
    const order: string[] = [];
    for await (const entry of backupEntries(sources, {} as StackState, '/data/dump.rdb')) {
      if (!entry.path.startsWith('files/')) continue;
      order.push(entry.path);
      if (entry.kind === 'file') {
        seen.set(entry.path, { sha256: await sha256Of(await entry.open()), mode: entry.mode });
      }
    }
    const expected = [...files.keys()].map((name) => `files/uploads/${name}`);
    expect(order).toEqual([
      'files/uploads',
      'files/uploads/b',
      'files/uploads/b/inner.txt',
      ...expected.filter((p) => !p.includes('/b/')).sort(),
    ]);
    for (const [name, bytes] of files) {
      expect(seen.get(`files/uploads/${name}`)).toEqual({ sha256: sha256(bytes), mode: 0o640 });
    }
    expect(order).not.toContain('files/uploads/link');
    const total = [...files.values()].reduce((sum, b) => sum + b.length, 0);
    expect(await treeSize(uploads)).toBe(total);
  });
});
