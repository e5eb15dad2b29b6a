import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK, parseTarHeader, readTarFiles } from './tar.js';
import { tarOf, tarOfFiles, type TestEntry } from './tar.test-support.js';

/** The system's tar, as an independent reader of what we write. */
function gnuTarList(tar: Buffer): string[] {
  const result = spawnSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return result.stdout.trim().split('\n');
}

const longDir = `${'deep/'.repeat(30)}end`;
const entries: TestEntry[] = [
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
    const lines = gnuTarList(tarOf(entries));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drwxr-xr-x root\/root .* config\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x root\/root +18 .* config\/run\.sh$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx root\/root .* link -> config\/run\.sh$/);
    expect(lines[3]).toContain(`${longDir}/file.txt`);
    expect(lines[4]).toMatch(new RegExp(`^-rw------- .* ${'n'.repeat(150)}\\.txt$`));
  });

  it('reads its own headers back (name, size) and refuses a block that is not a header', () => {
    const tar = tarOf(entries.slice(0, 2));
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

describe('tar file reader', () => {
  const limits = { maxFiles: 100, maxBytes: 1 << 20 };

  it('reads back regular files only, long paths (PAX) included, as GNU tar wrote them', () => {
    const files = readTarFiles(tarOf(entries), limits);
    expect([...files.keys()]).toEqual([
      'config/run.sh',
      `${longDir}/file.txt`,
      `${'n'.repeat(150)}.txt`,
    ]);
    expect(Buffer.from(files.get('config/run.sh') ?? []).toString()).toBe('#!/bin/sh\necho hi\n');
  });

  it('reads what the system tar writes (GNU long names, ./ prefixes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-read-'));
    try {
      mkdirSync(join(dir, 'migrations', 'x'.repeat(120)), { recursive: true });
      writeFileSync(join(dir, 'migrations', 'x'.repeat(120), 'migration.sql'), 'SELECT 1;\n');
      const made = spawnSync('tar', ['-cf', '-', '-C', dir, '.'], { maxBuffer: 1 << 24 });
      const files = readTarFiles(new Uint8Array(made.stdout), limits);
      expect(
        Buffer.from(files.get(`migrations/${'x'.repeat(120)}/migration.sql`) ?? []).toString(),
      ).toBe('SELECT 1;\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged header, a cut entry and an archive over its limits', () => {
    const tar = tarOfFiles({ a: 'x'.repeat(600), b: 'y' });
    const damaged = Buffer.from(tar);
    damaged[BLOCK * 3 + 10] = 0x41;
    expect(() => readTarFiles(damaged, limits)).toThrow(/bad header at byte 1536/);
    expect(() => readTarFiles(tar.subarray(0, BLOCK + 100), limits)).toThrow(
      /ends inside an entry/,
    );
    expect(() => readTarFiles(tar, { maxFiles: 1, maxBytes: 1 << 20 })).toThrow(/over 1 files/);
    expect(() => readTarFiles(tar, { maxFiles: 10, maxBytes: 500 })).toThrow(/500 bytes/);
  });
});
