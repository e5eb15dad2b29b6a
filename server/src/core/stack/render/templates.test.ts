import { describe, expect, it } from 'vitest';
import {
  fillText,
  fillYaml,
  findTemplatesDir,
  loadTemplates,
  mergeYaml,
  templateMap,
} from './templates.js';

describe('mergeYaml', () => {
  it('merges maps, appends lists, replaces scalars and removes keys set to null', () => {
    const base = { a: { b: 1, c: [1, 2], d: 'x' }, e: 'keep', f: 'drop' };
    const overlay = { a: { c: [3], d: 'y', g: true }, f: null, h: [{ i: 1 }] };
    expect(mergeYaml(base, overlay)).toEqual({
      a: { b: 1, c: [1, 2, 3], d: 'y', g: true },
      e: 'keep',
      h: [{ i: 1 }],
    });
    expect(base).toEqual({ a: { b: 1, c: [1, 2], d: 'x' }, e: 'keep', f: 'drop' });
  });
});

describe('tokens', () => {
  it('fills every token, in text and in parsed YAML keys and values', () => {
    expect(fillText('a {{x}} b {{ y.z }}', { x: '1', 'y.z': '2' }, 't')).toBe('a 1 b 2');
    expect(fillYaml({ '{{k}}': ['{{v}}', 3] }, { k: 'key', v: 'value' }, 't')).toEqual({
      key: ['value', 3],
    });
  });

  it('refuses an unknown token instead of leaving it in place', () => {
    expect(() => fillText('{{nope}}', {}, 'files/x.conf')).toThrowError(
      'The compose template files/x.conf uses an unknown token {{nope}}.',
    );
  });
});

describe('the shipped templates', () => {
  const templates = loadTemplates(findTemplatesDir());

  it('are found from the source tree and parse as YAML maps', () => {
    const fragments = [...templates.files.keys()].filter((p) => p.startsWith('stack/'));
    expect(fragments).toEqual(
      expect.arrayContaining([
        'stack/base.yaml',
        'stack/env-dev.yaml',
        'stack/env-test.yaml',
        'stack/profile-tls.yaml',
      ]),
    );
    for (const path of fragments) expect(() => templateMap(templates, path)).not.toThrow();
  });

  it('hold no secret value: every password comes from /run/secrets', () => {
    for (const [path, text] of templates.files) {
      // A variable named like a credential may only ever point at a file.
      expect(text, path).not.toMatch(/\b[A-Z_]*(PASSWORD|SECRET|TOKEN|KEY)\s*[:=]/);
      expect(text, path).not.toMatch(/[0-9a-f]{32,}/);
    }
  });

  it('write no $ in the stack fragments, so compose interpolation never applies', () => {
    for (const [path, text] of templates.files)
      if (path.startsWith('stack/')) expect(text, path).not.toContain('$');
  });
});
