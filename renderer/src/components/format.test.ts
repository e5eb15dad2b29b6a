import { describe, expect, it } from 'vitest';
import { bytes } from './backups/format';
import { formatBytes, plural } from './format';

describe('sizes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [512, '512 bytes'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [3_565_158, '3.4 MB'],
    [12_897_485, '12 MB'],
    [1_048_575, '1.0 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
  ])('%d bytes read as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('reads the same in the backups list and panel as on the dashboard', () => {
    for (const n of [800, 20_480, 3_565_158, 12_897_485, 7.25 * 1024 ** 3]) {
      expect(bytes(n)).toBe(formatBytes(n));
    }
  });
});

describe('counts', () => {
  it('puts the noun in the number the count needs', () => {
    expect(plural(1, 'match', 'matches')).toBe('1 match');
    expect(plural(0, 'match', 'matches')).toBe('0 matches');
    expect(plural(2, 'line', 'lines')).toBe('2 lines');
  });
});
