import { describe, expect, it } from 'vitest';
import { memoryBytes } from './compose-model.js';

describe('memoryBytes', () => {
  it('reads compose memory sizes', () => {
    expect(memoryBytes('512M')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('2g')).toBe(2 * 1024 ** 3);
    expect(memoryBytes('64k')).toBe(64 * 1024);
    expect(memoryBytes('100')).toBe(100);
  });

  it('is undefined for what is not a size, so no limit is set from it', () => {
    for (const value of [undefined, '', '0', '0512m', '1.5g', '512mb', '-1g']) {
      expect(memoryBytes(value), String(value)).toBeUndefined();
    }
  });
});
