import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BLOCK, parseTarHeader } from './tar.js';
import { tarOf, type TestEntry } from './tar.test-support.js';

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
