import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from './format.js';
import { DEFAULT_LIMITS, KIND_FILE, manifestJson } from './framing.js';
import { tempFolder, testKey, writeHostile } from './fixtures.test-support.js';
import { createArchiveReader } from './reader.js';
import { EntryTable } from './entry-table.js';
import { MAX_ENTRY_TEXT, MAX_META_TEXT, ManifestParser, parseManifest } from './manifest-parser.js';

const sha = 'a'.repeat(64);
const manifest: Manifest = {
  format: 1,
  createdAt: '2026-11-26T02:00:00.000Z',
  entries: EntryTable.from([
    { path: 'db/medianest.dump', kind: 'file', size: 3, sha256: sha, mode: 0o600 },
    { path: 'files/uploads', kind: 'dir', size: 0, sha256: '', mode: 0o755 },
    {
      path: 'files/uploads/"quoted" é ✓ }{][,',
      kind: 'file',
      size: 1,
      sha256: sha,
      mode: 0o644,
    },
  ]),
  meta: { folders: { uploads: { uid: 1001, gid: 1001, mode: 0o750 } }, note: 'a } ] " \\' },
};
const text = Buffer.concat([...manifestJson(manifest)]).toString('utf8');
const plain = (m: Manifest) => ({ ...m, entries: [...m.entries] });

describe('a manifest parsed as it is read', () => {
  it('reads what the writer writes, however the text is cut into pieces', () => {
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new ManifestParser(DEFAULT_LIMITS, 1);
      parser.push(text.slice(0, cut));
      parser.push(text.slice(cut));
      expect(plain(parser.finish())).toEqual(plain(manifest));
    }
    const oneByOne = new ManifestParser(DEFAULT_LIMITS, 1);
    for (const c of text) oneByOne.push(c);
    expect(plain(oneByOne.finish())).toEqual(plain(manifest));
  });

  it.each([
    [
      'a nested object for an entry',
      text.replace('{"path":"files/uploads",', '{"x":{},"path":"files/uploads",'),
    ],
    ['another layout', JSON.stringify({ entries: [], format: 1, createdAt: 'x', meta: {} })],
    ['a trailing comma', text.replace('],"meta"', ',],"meta"')],
    ['no meta', text.slice(0, text.indexOf(',"meta"')) + '}'],
    ['meta that is a list', text.slice(0, text.indexOf(',"meta"')) + ',"meta":[]}'],
    ['a text that stops', text.slice(0, -10)],
    ['another format than the header', text.replace('"format":1', '"format":2')],
  ])('refuses %s as corrupt', (_name, bad) => {
    expect(() => parseManifest(bad, DEFAULT_LIMITS, 1)).toThrow(
      expect.objectContaining({ code: 'corrupt' }),
    );
  });

  it('refuses an entry larger than any real one before it has all of it', () => {
    const parser = new ManifestParser(DEFAULT_LIMITS, 1);
    parser.push('{"format":1,"createdAt":"x","entries":[{"path":"');
    expect(() => parser.push('a'.repeat(MAX_ENTRY_TEXT))).toThrow(/entry 0 is too large/);
  });

  it('refuses meta larger than any real one before it has all of it', () => {
    const parser = new ManifestParser(DEFAULT_LIMITS, 1);
    parser.push('{"format":1,"createdAt":"x","entries":[],"meta":{"pad":"');
    expect(() => parser.push('a'.repeat(MAX_META_TEXT))).toThrow(/meta is too large/);
  });

  it('stops at the entry over the count cap', () => {
    const parser = new ManifestParser({ ...DEFAULT_LIMITS, maxEntries: 1 }, 1);
    const head = text.slice(0, text.indexOf('},{') + 2);
    expect(() =>
      parser.push(head + text.slice(head.length, text.indexOf('},{', head.length) + 1)),
    ).toThrow(expect.objectContaining({ code: 'unsafe_entry' }));
  });
});

describe('a manifest over the size cap', () => {
  it('is refused from the trailer, before any of it is read', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'big.mnbackup');
    const framed = Array.from({ length: 200 }, (_, i) => ({
      path: `files/uploads/${String(i).padStart(40, '0')}`,
      kind: KIND_FILE,
      data: Buffer.from('x'),
    }));
    await writeHostile(target, key, framed);
    const reader = createArchiveReader();
    const staging = join(folder, 'staging');
    const capped = reader.extract(target, key, staging, { limits: { maxManifestBytes: 4096 } });
    await expect(capped).rejects.toMatchObject({ code: 'unsafe_entry' });
    await expect(capped).rejects.toThrow(/manifest of \d+ bytes, more than the 4096 allowed/);
    await expect(reader.extract(target, key, staging)).resolves.toBeDefined();
  });
});
