import { describe, expect, it } from 'vitest';
import { lineOfKey, parseJsonc } from './jsonc.js';

describe('JSON with comments (tsconfig)', () => {
  const text = [
    '\uFEFF{',
    '  // was "module": "CommonJS"; trailing commas below',
    '  "extends": "../tsconfig.base.json", /* block */',
    '  "compilerOptions": {',
    '    /* multi',
    '       line */ "module": "ESNext",',
    '    "paths": { "@/*": ["./*"], "url": "https://example.com//x" },',
    '    "moduleResolution": "node",',
    '  },',
    '  "list": [1, 2,],',
    '}',
  ].join('\n');

  it('reads comments and trailing commas as TypeScript does, leaving strings alone', () => {
    expect(parseJsonc(text)).toEqual({
      extends: '../tsconfig.base.json',
      compilerOptions: {
        module: 'ESNext',
        paths: { '@/*': ['./*'], url: 'https://example.com//x' },
        moduleResolution: 'node',
      },
      list: [1, 2],
    });
  });

  it('finds the line of a key, not of a longer key or one in a comment', () => {
    expect(lineOfKey(text, 'extends')).toBe(3);
    expect(lineOfKey(text, 'module')).toBe(6);
    expect(lineOfKey(text, 'target')).toBeUndefined();
  });

  it('still refuses what is not JSON', () => {
    expect(() => parseJsonc('{ "a": }')).toThrow(SyntaxError);
  });
});
