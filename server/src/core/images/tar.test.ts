import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ImageArchiveScanner, sniffArchive } from './archive-check.js';
import { BLOCK, padding, parseTarHeader, TAR_END, tarHeader, type TarEntry } from './tar.js';

function archive(entries: Array<TarEntry & { content?: string }>): Buffer {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? '');
    parts.push(tarHeader({ ...entry, size: data.length }), data, padding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** The system's tar, as an independent reader of what we write. */
function gnuTarList(tar: Buffer): string[] {
  const result = spawnSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return result.stdout.trim().split('\n');
}

const longDir = `${'deep/'.repeat(30)}end`;
const entries: Array<TarEntry & { content?: string }> = [
  { name: 'config', type: 'dir', mode: 0o755, size: 0, mtime: 1_700_000_000 },
  {
    name: 'config/run.sh',
    type: 'file',
    mode: 0o755,
    size: 0,
    mtime: 1_700_000_000,
    content: '#!/bin/sh\necho hi\n',
  },
  {
    name: 'link',
    type: 'symlink',
    mode: 0o777,
    size: 0,
    mtime: 1_700_000_000,
    linkname: 'config/run.sh',
  },
  { name: `${longDir}/file.txt`, type: 'file', mode: 0o644, size: 0, mtime: 1, content: 'x' },
  { name: `${'n'.repeat(150)}.txt`, type: 'file', mode: 0o600, size: 0, mtime: 1, content: 'y' },
];

describe('tar writer', () => {
  it('writes an archive GNU tar reads back: modes, root owner, links, long paths', () => {
    const lines = gnuTarList(archive(entries));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drwxr-xr-x root\/root .* config\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x root\/root +18 .* config\/run\.sh$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx root\/root .* link -> config\/run\.sh$/);
    expect(lines[3]).toContain(`${longDir}/file.txt`);
    expect(lines[4]).toMatch(new RegExp(`^-rw------- .* ${'n'.repeat(150)}\\.txt$`));
  });

  it('reads its own headers back (name, size) and refuses a block that is not a header', () => {
    const tar = archive(entries.slice(0, 2));
    expect(parseTarHeader(tar.subarray(0, BLOCK))).toMatchObject({
      name: 'config/',
      typeflag: '5',
    });
    expect(parseTarHeader(tar.subarray(BLOCK, 2 * BLOCK))).toMatchObject({
      name: 'config/run.sh',
      size: 18,
    });
    expect(parseTarHeader(Buffer.alloc(BLOCK, 'a'))).toBeUndefined();
  });
});

describe('image archive recognition', () => {
  const saved = archive([
    { name: 'abc123', type: 'dir', mode: 0o755, size: 0, mtime: 1 },
    {
      name: 'abc123/layer.tar',
      type: 'file',
      mode: 0o644,
      size: 0,
      mtime: 1,
      content: 'L'.repeat(3000),
    },
    {
      name: 'manifest.json',
      type: 'file',
      mode: 0o644,
      size: 0,
      mtime: 1,
      content: JSON.stringify([
        { Config: 'c.json', RepoTags: ['medianest/backend:1.0'], Layers: [] },
      ]),
    },
    { name: 'repositories', type: 'file', mode: 0o644, size: 0, mtime: 1, content: '{}' },
  ]);

  it('knows tar, gzip and the usual wrong files by their first bytes', () => {
    expect(sniffArchive(saved)).toEqual({ format: 'tar' });
    expect(sniffArchive(gzipSync(saved).subarray(0, 200))).toEqual({ format: 'gzip' });
    expect(sniffArchive(Buffer.from('hello\n'))).toEqual({ problem: 'is not a tar file' });
    expect(sniffArchive(Buffer.alloc(0))).toEqual({ problem: 'is empty' });
    expect(sniffArchive(Buffer.alloc(1024))).toEqual({ problem: 'is an empty tar file' });
    expect(sniffArchive(gzipSync('hello'))).toEqual({
      problem: 'is gzip-compressed but holds no tar file',
    });
    expect(sniffArchive(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1]))).toEqual({
      problem: 'is xz-compressed (use a .tar or .tar.gz file)',
    });
  });

  it.each([
    ['tar', saved],
    ['gzip', gzipSync(saved)],
  ] as const)(
    'finds manifest.json and its tags in a %s stream fed in odd-sized chunks',
    async (format, bytes) => {
      const scanner = new ImageArchiveScanner(format);
      for (let i = 0; i < bytes.length; i += 333) await scanner.write(bytes.subarray(i, i + 333));
      const scan = await scanner.end();
      expect(scan.isImageArchive).toBe(true);
      expect([...scan.topLevel]).toEqual(['abc123', 'manifest.json', 'repositories']);
      expect(scan.repoTags).toEqual(['medianest/backend:1.0']);
    },
  );

  it('says a tar without a manifest is not an image archive', async () => {
    const scanner = new ImageArchiveScanner('tar');
    await scanner.write(
      archive([
        { name: 'Dockerfile', type: 'file', mode: 0o644, size: 0, mtime: 1, content: 'FROM x' },
      ]),
    );
    expect((await scanner.end()).isImageArchive).toBe(false);
  });
});
