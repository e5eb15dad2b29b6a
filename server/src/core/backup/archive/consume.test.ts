/**
 * One pass over an archive that both checks it and hands one entry to a consumer (a dump to
 * pg_restore): the consumer gets the exact bytes, the other entries are extracted or checked as
 * usual, and a damaged entry is reported as corrupt even when its consumer complains first.
 */
import { createHash } from 'node:crypto';
import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EntrySource } from './format.js';
import { createArchiveReader } from './reader.js';
import { createArchiveWriter } from './writer.js';
import { generated, sha256Of, tempFolder, testKey } from './fixtures.test-support.js';

const writer = createArchiveWriter();
const reader = createArchiveReader();
const DUMP_SIZE = 3 * 1024 * 1024 + 17;

async function archive(): Promise<{ path: string; key: Uint8Array; folder: string }> {
  const folder = await tempFolder();
  const key = testKey();
  const sources: EntrySource[] = [
    { kind: 'file', path: 'db/medianest.dump', open: async () => generated(DUMP_SIZE, 'dump') },
    { kind: 'dir', path: 'files/uploads' },
    { kind: 'file', path: 'files/uploads/a.txt', open: async () => Readable.from(['hello']) },
    { kind: 'file', path: 'config/settings.json', open: async () => Readable.from(['{}']) },
  ];
  const path = join(folder, 'a.mnbackup');
  await writer.write(path, sources, {}, key);
  return { path, key, folder };
}

const digest = async (stream: Readable): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/** Flips one byte in the middle of the file (inside the dump's chunks). */
async function damage(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  const at = 1024 * 1024;
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, at);
  byte[0] = (byte[0] ?? 0) ^ 0x40;
  await handle.write(byte, 0, 1, at);
  await handle.close();
}

describe('consuming an entry while reading the archive once', () => {
  it('extract: the dump goes to its consumer byte for byte, the rest to staging', async () => {
    const { path, key, folder } = await archive();
    const expected = await sha256Of(generated(DUMP_SIZE, 'dump'));
    let consumed = '';
    const seen: string[] = [];
    await reader.extract(path, key, join(folder, 'staging'), {
      prefixes: ['files/'],
      consume: { 'db/medianest.dump': async (stream) => void (consumed = await digest(stream)) },
      onProgress: (p) => seen.push(p.path),
    });
    expect(consumed).toBe(expected);
    expect(await readFile(join(folder, 'staging', 'files', 'uploads', 'a.txt'), 'utf8')).toBe(
      'hello',
    );
    // Only the asked-for prefix reached staging; the dump never did.
    expect(await readdir(join(folder, 'staging'))).toEqual(['files']);
    expect(seen).toContain('config/settings.json');
  });

  it('verify: a consumer that stops early still leaves the whole file checked', async () => {
    const { path, key } = await archive();
    let firstBytes = 0;
    const manifest = await reader.verify(path, key, undefined, {
      'db/medianest.dump': async (stream) => {
        for await (const chunk of stream) {
          firstBytes += (chunk as Buffer).length;
          break;
        }
      },
    });
    expect(firstBytes).toBeGreaterThan(0);
    expect(firstBytes).toBeLessThan(DUMP_SIZE);
    expect([...manifest.entries].map((e) => e.path)).toContain('config/settings.json');

    // The same early stop over a damaged dump: the part never consumed is still read and refused.
    await damage(path);
    const refused = await reader
      .verify(path, key, undefined, {
        'db/medianest.dump': async (stream) => {
          for await (const chunk of stream) {
            void chunk;
            break;
          }
        },
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'corrupt' });
  });

  it('a damaged dump is reported as corrupt, not as its consumer failing', async () => {
    const { path, key, folder } = await archive();
    await damage(path);
    const refused = await reader
      .extract(path, key, join(folder, 'staging'), {
        prefixes: ['files/'],
        consume: {
          'db/medianest.dump': async (stream) => {
            await digest(stream).catch(() => {
              throw new Error('pg_restore: unexpected end of input');
            });
          },
        },
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'corrupt' });
    // Nothing after the damage reached staging.
    expect(await readdir(join(folder, 'staging')).catch(() => [])).toEqual([]);
  });
});
