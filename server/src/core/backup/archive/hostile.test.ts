import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExtractLimits } from './format.js';
import { KIND_DIR, KIND_FILE } from './framing.js';
import { createArchiveReader } from './reader.js';
import {
  listTree,
  tempFolder,
  testKey,
  writeHostile,
  type HostileEntry,
} from './fixtures.test-support.js';

const reader = createArchiveReader();
const file = (path: string, text = 'x'): HostileEntry => ({
  path,
  kind: KIND_FILE,
  data: Buffer.from(text),
});

interface Case {
  name: string;
  framed: HostileEntry[];
  manifest?: unknown[];
  limits?: Partial<ExtractLimits>;
}

const honest = (path: string, kind = 'file'): Record<string, unknown> => ({
  path,
  kind,
  size: kind === 'file' ? 1 : 0,
  // SHA-256 of 'x'
  sha256: kind === 'file' ? '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881' : '',
  mode: 0o644,
});

const cases: Case[] = [
  { name: 'a parent-folder escape', framed: [file('../x')] },
  { name: 'an absolute path', framed: [file('/etc/x')] },
  { name: 'a Windows drive path with backslash', framed: [file('C:\\x')] },
  { name: 'a drive-relative path', framed: [file('C:x')] },
  { name: 'an escape through a folder', framed: [file('a/../../x')] },
  { name: 'a symlink in the manifest', framed: [{ path: 'link', kind: 3 }] },
  { name: 'a hard link in the manifest', framed: [{ path: 'hard', kind: 4 }] },
  { name: 'a device in the manifest', framed: [{ path: 'dev', kind: 5 }] },
  {
    name: 'a symlink the manifest calls a file',
    framed: [{ path: 'link', kind: 3, data: Buffer.from('x') }],
    manifest: [honest('link')],
  },
  {
    name: 'a device the manifest calls a folder',
    framed: [{ path: 'dev', kind: 5 }],
    manifest: [honest('dev', 'dir')],
  },
  {
    name: 'a path deeper than the default cap',
    framed: [file(Array.from({ length: 60 }, () => 'd').join('/'))],
  },
  { name: 'a path deeper than a given cap', framed: [file('a/b/c/d')], limits: { maxDepth: 3 } },
  {
    name: 'too many entries',
    framed: Array.from({ length: 6 }, (_, i) => file(`f${i}`)),
    limits: { maxEntries: 5 },
  },
  {
    name: 'more bytes than the cap',
    framed: [file('a', 'a'.repeat(80)), file('b', 'b'.repeat(80))],
    limits: { maxTotalBytes: 100 },
  },
  {
    name: 'an entry the manifest does not name',
    framed: [file('ok'), file('../../evil')],
    manifest: [honest('ok')],
  },
  { name: 'a path listed twice', framed: [file('twice'), file('twice')] },
  {
    name: 'a path that is not valid Unicode (a lone surrogate)',
    framed: [file('a\ud800b')],
    manifest: [honest('a\ud800b')],
  },
];

describe('hostile archives', () => {
  it.each(cases)('refuses $name as unsafe_entry and writes nothing outside staging', async (c) => {
    const parent = await tempFolder();
    await writeFile(join(parent, 'sentinel'), 'keep');
    await mkdir(join(parent, 'staging'));
    const key = testKey();
    const archive = join(parent, 'hostile.mnbak');
    await writeHostile(archive, key, c.framed, c.manifest);
    const before = await listTree(parent);

    await expect(
      reader.extract(archive, key, join(parent, 'staging'), { limits: c.limits }),
    ).rejects.toMatchObject({ code: 'unsafe_entry' });
    if (!c.limits) {
      await expect(reader.verify(archive, key)).rejects.toMatchObject({ code: 'unsafe_entry' });
    }

    const outside = (await listTree(parent)).filter(
      (p) => !p.startsWith(join(parent, 'staging') + '/'),
    );
    expect(outside).toEqual(before.filter((p) => !p.startsWith(join(parent, 'staging') + '/')));
    expect(await readFile(join(parent, 'sentinel'), 'utf8')).toBe('keep');
  });

  it('never follows a link that is already in staging, for a folder or a file', async () => {
    const parent = await tempFolder();
    const key = testKey();
    await mkdir(join(parent, 'outside'));
    await writeFile(join(parent, 'outside', 'target'), 'original');
    const staging = join(parent, 'staging');
    await mkdir(staging);
    await symlink(join(parent, 'outside'), join(staging, 'uploads'));
    await symlink(join(parent, 'outside', 'target'), join(staging, 'config'));
    const viaFolder = join(parent, 'via-folder.mnbak');
    await writeHostile(viaFolder, key, [file('uploads/target', 'overwritten')]);
    const viaFile = join(parent, 'via-file.mnbak');
    await writeHostile(viaFile, key, [file('config', 'overwritten')]);

    await expect(reader.extract(viaFolder, key, staging)).rejects.toMatchObject({
      code: 'unsafe_entry',
    });
    await expect(reader.extract(viaFile, key, staging)).rejects.toMatchObject({
      code: 'unsafe_entry',
    });
    expect(await readFile(join(parent, 'outside', 'target'), 'utf8')).toBe('original');
    expect(await listTree(join(parent, 'outside'))).toEqual([join(parent, 'outside', 'target')]);
  });

  it('accepts an honest hand-made archive, so the refusals above are about the entries', async () => {
    const parent = await tempFolder();
    const key = testKey();
    const archive = join(parent, 'fine.mnbak');
    await writeHostile(archive, key, [{ path: 'a', kind: KIND_DIR }, file('a/b.txt', 'hello')]);
    await reader.extract(archive, key, join(parent, 'staging'));
    expect(await readFile(join(parent, 'staging', 'a', 'b.txt'), 'utf8')).toBe('hello');
  });
});
