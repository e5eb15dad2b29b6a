/**
 * The compact entry table gives back exactly the entries put in (paths in any script, folders,
 * sizes past 4 GiB), finds paths and duplicates, and writes the JSON `JSON.stringify` would.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntryTable, type ManifestEntry } from './entry-table.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function entries(count: number): ManifestEntry[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 0
      ? { path: `files/uploads/folder-${i}`, kind: 'dir', size: 0, sha256: '', mode: 0o755 }
      : {
          path: `files/uploads/${'ü日本'.repeat(i % 40)}-${i}.bin`,
          kind: 'file',
          size: i % 97 === 1 ? 4_294_967_311 + i : i,
          sha256: sha(String(i)),
          mode: i % 2 ? 0o600 : 0o644,
        },
  );
}

describe('the entry table', () => {
  it('gives back every entry as it was put in, past every initial capacity', () => {
    const source = entries(5000); // more entries and path bytes than it starts with
    const table = EntryTable.from(source);
    expect(table.length).toBe(5000);
    expect([...table]).toEqual(source);
    expect(table.at(4321)).toEqual(source[4321]);
    expect(table.at(5000)).toBeUndefined();
    expect(table.at(-1)).toBeUndefined();
    expect(table.totalBytes).toBe(source.reduce((sum, e) => sum + e.size, 0));
  });

  it('writes the same JSON as JSON.stringify, in any slice', () => {
    const source = entries(1200);
    const table = EntryTable.from(source);
    expect(`[${table.json(0, 1200)}]`).toBe(JSON.stringify(source));
    expect(table.json(1000, 2000)).toBe(
      source
        .slice(1000)
        .map((e) => JSON.stringify(e))
        .join(','),
    );
    expect(JSON.stringify({ entries: table })).toBe(JSON.stringify({ entries: source }));
    const quoted = EntryTable.from([
      { path: 'a "quoted"\\ name\n', kind: 'file', size: 1, sha256: sha('x'), mode: 0o644 },
    ]);
    expect(`[${quoted.json(0, 1)}]`).toBe(JSON.stringify([...quoted]));
  });

  it('finds a path, and the first one listed twice', () => {
    const source = entries(3000);
    const table = EntryTable.from(source);
    expect(table.indexOf(source[2999]!.path)).toBe(2999);
    expect(table.indexOf('files/uploads/not-there')).toBe(-1);
    expect(table.firstDuplicate()).toBeUndefined();
    table.push({ ...source[1234]!, size: 7 });
    expect(table.firstDuplicate()).toBe(source[1234]!.path);
    expect(table.indexOf(source[1234]!.path)).toBe(1234);
  });

  it('refuses a SHA-256 that would not come back the same', () => {
    const table = new EntryTable();
    const file = {
      path: 'a',
      kind: 'file',
      size: 1,
      sha256: 'AB'.repeat(32),
      mode: 0o644,
    } as const;
    expect(() => table.push(file)).toThrow(/SHA-256/);
    expect(() => table.push({ ...file, kind: 'dir', sha256: sha('a') })).toThrow(/SHA-256/);
    expect(table.length).toBe(0);
  });
});
