import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceEntry } from '../../core/images/source-tree.js';
import { NodeSourceTree } from './node-source-tree.js';

let dir: string;
const tree = new NodeSourceTree();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-tree-'));
  mkdirSync(join(dir, 'b/node_modules/pkg'), { recursive: true });
  writeFileSync(join(dir, 'b/node_modules/pkg/index.js'), 'x');
  writeFileSync(join(dir, 'b/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'a.txt'), 'hello');
  symlinkSync('/etc', join(dir, 'etc-link'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('NodeSourceTree', () => {
  it('walks sorted and depth-first, keeps modes, never follows a symlink, skips what it must not enter', async () => {
    const seen: SourceEntry[] = [];
    for await (const entry of tree.walk(dir, (rel) => rel !== 'b/node_modules')) seen.push(entry);
    expect(seen.map((e) => `${e.kind} ${e.relative}`)).toEqual([
      'file a.txt',
      'dir b',
      'dir b/node_modules',
      'file b/run.sh',
      'symlink etc-link',
    ]);
    expect(seen.find((e) => e.relative === 'b/run.sh')?.mode).toBe(0o755);
    expect(seen.find((e) => e.kind === 'symlink')?.linkTarget).toBe('/etc');
    expect(seen.find((e) => e.relative === 'a.txt')?.size).toBe(5);
  });

  it('reads a file whole or its first bytes, and says when nothing is there', async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of tree.read(join(dir, 'a.txt'))) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    expect(Buffer.from(await tree.readHead(join(dir, 'a.txt'), 2)).toString()).toBe('he');
    expect(await tree.stat(join(dir, 'missing'))).toBeUndefined();
    // A linked folder counts as the folder (the walk itself never follows links).
    expect(await tree.stat(join(dir, 'etc-link'))).toMatchObject({ kind: 'dir' });
  });
});
