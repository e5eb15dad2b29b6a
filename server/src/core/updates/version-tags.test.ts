import { describe, expect, it } from 'vitest';
import { newerVersionTags, parseVersionTag } from './version-tags.js';

const tags = (current: string, all: string[]) => newerVersionTags(current, all).map((v) => v.tag);

describe('newer version tags', () => {
  it('offers v2 to v1, never a v2-broken or v2-badmigration variant (the rig tags)', () => {
    expect(tags('v1', ['v1', 'v2', 'v2-broken', 'v2-badmigration', 'latest'])).toEqual(['v2']);
    expect(newerVersionTags('v1', ['v2'])).toEqual([{ tag: 'v2', step: 'major' }]);
  });

  it('keeps the shape: the same v prefix, as many numbers, the same variant', () => {
    const all = ['1.2.4', 'v1.2.5', '1.3', '1.3.0', '2.0.0', '1.2.10', '1.2.4-alpine'];
    expect(tags('1.2.3', all)).toEqual(['1.2.4', '1.2.10', '1.3.0', '2.0.0']);
    expect(tags('16-alpine', ['16.1-alpine', '17', '17-alpine', '15-alpine', '18-alpine'])).toEqual(
      ['17-alpine', '18-alpine'],
    );
  });

  it('compares numbers as numbers and names the step', () => {
    expect(newerVersionTags('1.9.9', ['1.10.0', '1.9.10', '2.0.0'])).toEqual([
      { tag: '1.9.10', step: 'patch' },
      { tag: '1.10.0', step: 'minor' },
      { tag: '2.0.0', step: 'major' },
    ]);
  });

  it('offers pre-releases only to a pre-release, and its release after it', () => {
    const all = ['1.2.4-rc.1', '1.2.4', '1.2.3-rc.2', '1.2.3'];
    expect(tags('1.2.3', all)).toEqual(['1.2.4']);
    expect(tags('1.2.3-rc.1', all)).toEqual(['1.2.3-rc.2', '1.2.3', '1.2.4-rc.1', '1.2.4']);
  });

  it('offers nothing to a tag that is no version (latest, a hash)', () => {
    expect(tags('latest', ['v2', '2.0.0'])).toEqual([]);
    expect(tags('2fb670d40dfc', ['3fb670d40dfc'])).toEqual([]);
    expect(parseVersionTag('v2-broken')).toMatchObject({ numbers: [2], variant: 'broken' });
    expect(parseVersionTag('1.2.3-beta2')).toMatchObject({ pre: 'beta2', variant: '' });
  });
});
