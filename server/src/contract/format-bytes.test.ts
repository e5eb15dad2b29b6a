import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [512, '512 bytes'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [10 * 1024, '10 KB'],
    [3_565_158, '3.4 MB'],
    [12_897_485, '12 MB'],
    [1_048_575, '1.0 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
    [10 * 1024 ** 3, '10 GB'],
    [2 * 1024 ** 4, '2.0 TB'],
  ])('%d bytes read as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('reads a value that is not a size as none rather than NaN', () => {
    expect(formatBytes(Number.NaN)).toBe('0 bytes');
    expect(formatBytes(-5)).toBe('0 bytes');
  });
});
