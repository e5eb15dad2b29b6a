import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarGz } from './tar-gz.js';

describe('tarGz', () => {
  it('writes an archive that tar extracts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mna-tar-'));
    try {
      const big = 'x'.repeat(1500);
      writeFileSync(
        join(dir, 'a.tar.gz'),
        tarGz([
          { name: 'b/one.txt', data: 'hello\n' },
          { name: 'b/two.txt', data: big },
        ]),
      );
      const result = spawnSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
      expect(result.status, result.stderr.toString()).toBe(0);
      expect(readFileSync(join(dir, 'b', 'one.txt'), 'utf8')).toBe('hello\n');
      expect(readFileSync(join(dir, 'b', 'two.txt'), 'utf8')).toBe(big);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses names that would leave the folder', () => {
    expect(() => tarGz([{ name: '../x', data: '' }])).toThrow(/unusable/);
  });
});
