import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { EntrySource, Manifest } from './format.js';
import { createArchiveReader } from './reader.js';
import { createArchiveWriter } from './writer.js';
import { manifestJson } from './framing.js';
import { generated, sha256Of, tempFolder, testKey } from './fixtures.test-support.js';
import { EntryTable } from './entry-table.js';

/** A manifest with its entries as plain objects, to compare two by value. */
const plain = (manifest: Manifest) => ({ ...manifest, entries: [...manifest.entries] });

const writer = createArchiveWriter();
const reader = createArchiveReader();
const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A stream of unknown length in irregular pieces, as a dump coming out of `docker exec` is. */
function irregular(pieces: number): {
  stream: () => Promise<Readable>;
  sha256: string;
  size: number;
} {
  const parts = Array.from({ length: pieces }, (_, i) =>
    Buffer.alloc((i * 7919) % 50_000, i % 251),
  );
  const all = Buffer.concat(parts);
  return {
    stream: async () => Readable.from(parts),
    sha256: sha(all),
    size: all.length,
  };
}

describe('backup archive round trip', () => {
  it('restores many files, empty and large ones and a stream of unknown size, byte for byte', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const small = Array.from({ length: 300 }, (_, i) => ({
      path: `uploads/u${i % 7}/f${i}.txt`,
      data: `file ${i}\n`.repeat(i),
    }));
    const dump = irregular(400);
    const largeSize = 40 * 1024 * 1024 + 123;
    const largeSha = await sha256Of(generated(largeSize, 'large'));
    const sources: EntrySource[] = [
      { kind: 'dir', path: 'uploads', mode: 0o750 },
      { kind: 'file', path: 'db/medianest.dump', open: dump.stream, mode: 0o600 },
      { kind: 'file', path: 'config/empty.env', open: async () => Readable.from([]) },
      { kind: 'file', path: 'uploads/big.bin', open: async () => generated(largeSize, 'large') },
      {
        kind: 'file',
        path: 'bin/setuid-tool',
        open: async () => Readable.from(['x']),
        mode: 0o4755,
      },
      ...small.map((f): EntrySource => ({
        kind: 'file',
        path: f.path,
        open: async () => Readable.from([f.data]),
      })),
    ];
    const progress: number[] = [];
    const target = join(folder, 'backup-1.mnbak');
    const written = await writer.write(
      target,
      sources,
      { app: '1.2.3', rows: { users: 3 } },
      key,
      (p) => progress.push(p.bytes),
    );

    expect(written.manifest.entries).toHaveLength(sources.length);
    expect(progress.at(-1)).toBe(
      largeSize + dump.size + 1 + small.reduce((n, f) => n + f.data.length, 0),
    );
    expect(await readdir(folder)).toEqual(['backup-1.mnbak']);
    expect((await stat(target)).size).toBe(written.bytes);
    expect((await stat(target)).mode & 0o777).toBe(0o600);

    const manifest = await reader.readManifest(target, key);
    expect(plain(manifest)).toEqual(plain(written.manifest));
    expect(manifest.meta).toEqual({ app: '1.2.3', rows: { users: 3 } });
    const byPath = new Map([...manifest.entries].map((e) => [e.path, e]));
    expect(byPath.get('db/medianest.dump')).toMatchObject({
      size: dump.size,
      sha256: dump.sha256,
      mode: 0o600,
    });
    expect(byPath.get('uploads/big.bin')).toMatchObject({ size: largeSize, sha256: largeSha });
    expect(byPath.get('config/empty.env')).toMatchObject({ size: 0, sha256: sha('') });
    expect(byPath.get('bin/setuid-tool')?.mode).toBe(0o755);

    const verified: number[] = [];
    expect(plain(await reader.verify(target, key, (p) => verified.push(p.bytes)))).toEqual(
      plain(manifest),
    );
    expect(verified.at(-1)).toBe(progress.at(-1));

    const staging = join(folder, 'staging');
    await reader.extract(target, key, staging);
    expect(await sha256Of(createReadStream(join(staging, 'uploads/big.bin')))).toBe(largeSha);
    expect(sha(await readFile(join(staging, 'db/medianest.dump')))).toBe(dump.sha256);
    expect(await readFile(join(staging, 'config/empty.env'), 'utf8')).toBe('');
    for (const f of small) expect(await readFile(join(staging, f.path), 'utf8')).toBe(f.data);
    expect((await stat(join(staging, 'db/medianest.dump'))).mode & 0o7777).toBe(0o600);
    expect((await stat(join(staging, 'bin/setuid-tool'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(staging, 'uploads'))).mode & 0o777).toBe(0o750);
  }, 120_000);

  it('gives extracted files and created folders the owner asked for, and the rest keep ours', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'o.mnbak');
    const file = (path: string, text: string): EntrySource => ({
      kind: 'file',
      path,
      open: async () => Readable.from([text]),
      mode: 0o640,
    });
    await writer.write(
      target,
      [
        { kind: 'dir', path: 'files/uploads' },
        file('files/uploads/a.txt', 'a'),
        file('files/uploads/deep/b.bin', 'b'.repeat(300_000)),
        file('config/settings.json', '{}'),
      ],
      {},
      key,
    );
    // As root (CI) the files really change hands; elsewhere only giving them to ourselves can work.
    const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const other = me.uid === 0 ? { uid: 4321, gid: 4322 } : me;
    const asked: string[] = [];
    const staging = join(folder, 'staging');
    await reader.extract(target, key, staging, {
      owner: (path) => {
        asked.push(path);
        return path.startsWith('files/uploads') ? other : undefined;
      },
    });
    for (const path of [
      'files/uploads',
      'files/uploads/a.txt',
      'files/uploads/deep',
      'files/uploads/deep/b.bin',
    ]) {
      const info = await stat(join(staging, path));
      expect({ path, uid: info.uid, gid: info.gid }).toEqual({ path, ...other });
    }
    for (const path of ['files', 'config/settings.json']) {
      const info = await stat(join(staging, path));
      expect({ path, uid: info.uid, gid: info.gid }).toEqual({ path, ...me });
    }
    expect((await stat(join(staging, 'files/uploads/a.txt'))).mode & 0o7777).toBe(0o640);
    expect(await readFile(join(staging, 'files/uploads/deep/b.bin'), 'utf8')).toBe(
      'b'.repeat(300_000),
    );
    expect(asked).toContain('files/uploads/deep/b.bin');
  });

  it('writes the manifest in pieces that make exactly its JSON', () => {
    for (const count of [0, 1, 999, 1000, 2501]) {
      const manifest = {
        format: 1,
        createdAt: '2026-11-26T02:00:00.000Z',
        entries: EntryTable.from(
          Array.from({ length: count }, (_, i) => ({
            path: `files/uploads/ü-${i}.bin`,
            kind: i % 7 === 3 ? ('dir' as const) : ('file' as const),
            size: i % 7 === 3 ? 0 : i * 1_000_003,
            sha256: i % 7 === 3 ? '' : sha(String(i)),
            mode: i % 7 === 3 ? 0o755 : 0o644,
          })),
        ),
        meta: { rows: { users: count }, note: 'a "quoted" value' },
      };
      const pieces = [...manifestJson(manifest)];
      expect(Buffer.concat(pieces).toString('utf8')).toBe(JSON.stringify(manifest));
      expect(pieces.length).toBe(2 + Math.ceil(count / 1000));
    }
  });

  it('streams entries in order, with their bytes, and skips the ones not read', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'b.mnbak');
    await writer.write(
      target,
      (async function* () {
        yield { kind: 'file', path: 'a.txt', open: async () => Readable.from(['alpha']) } as const;
        yield { kind: 'dir', path: 'd' } as const;
        yield {
          kind: 'file',
          path: 'd/skipped.bin',
          open: async () => generated(3_000_000, 's'),
        } as const;
        yield { kind: 'file', path: 'd/z.txt', open: async () => Readable.from(['zulu']) } as const;
      })(),
      {},
      key,
    );
    const seen: string[] = [];
    for await (const { entry, stream } of reader.entries(target, key)) {
      if (entry.path === 'd/skipped.bin') {
        seen.push('skipped');
        continue;
      }
      seen.push(`${entry.path}=${stream ? (await buffer(stream)).toString() : 'dir'}`);
    }
    expect(seen).toEqual(['a.txt=alpha', 'd=dir', 'skipped', 'd/z.txt=zulu']);
  });

  it('extracts only the entries under the given prefixes', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'b.mnbak');
    const file = (path: string): EntrySource => ({
      kind: 'file',
      path,
      open: async () => Readable.from([path]),
    });
    await writer.write(
      target,
      [file('db/x.dump'), file('uploads/a.jpg'), file('config/.env')],
      {},
      key,
    );
    const staging = join(folder, 'staging');
    await reader.extract(target, key, staging, { prefixes: ['uploads/', 'config/'] });
    expect((await readdir(staging, { recursive: true })).sort()).toEqual([
      'config',
      'config/.env',
      'uploads',
      'uploads/a.jpg',
    ]);
  });

  it('writes an archive with no entries that still verifies', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'empty.mnbak');
    await writer.write(target, [], { note: 'nothing' }, key);
    expect([...(await reader.verify(target, key)).entries]).toEqual([]);
  });

  it('refuses to replace an existing backup of the same name', async () => {
    const folder = await tempFolder();
    const target = join(folder, 'b.mnbak');
    await writeFile(target, 'older backup');
    await expect(writer.write(target, [], {}, testKey())).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await readFile(target, 'utf8')).toBe('older backup');
  });
});

describe('a reader that stops early', () => {
  it('closes the archive cleanly when the caller stops in the middle of an entry', async () => {
    const folder = await tempFolder();
    const key = testKey();
    const target = join(folder, 'b.mnbak');
    const big: EntrySource = {
      kind: 'file',
      path: 'big',
      open: async () => generated(8_000_000, 'e'),
    };
    await writer.write(target, [big, { kind: 'dir', path: 'after' }], {}, key);
    const paths: string[] = [];
    for await (const { entry, stream } of reader.entries(target, key)) {
      paths.push(entry.path);
      for await (const _piece of stream as Readable) break;
      break;
    }
    expect(paths).toEqual(['big']);
    // The same archive still reads in full afterwards: nothing was left half-open.
    expect([...(await reader.verify(target, key)).entries].map((e) => e.path)).toEqual([
      'big',
      'after',
    ]);
  });
});
