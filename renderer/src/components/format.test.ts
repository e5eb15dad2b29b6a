import { describe, expect, it } from 'vitest';
import { bytes } from './backups/format';
import { formatBytes } from '@contract';
import { plural } from './format';

describe('sizes', () => {
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
