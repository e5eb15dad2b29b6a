import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tarOf } from '../tar/tar.test-support.js';
import { ImageArchiveScanner, sniffArchive } from './archive-check.js';

describe('image archive recognition', () => {
  const saved = tarOf([
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
      tarOf([
        { name: 'Dockerfile', type: 'file', mode: 0o644, size: 0, mtime: 1, content: 'FROM x' },
      ]),
    );
    expect((await scanner.end()).isImageArchive).toBe(false);
  });
});
