/**
 * Test helpers for the archive: generated data, temp folders, and a hostile writer that frames
 * whatever it is given (links, `..`, lies in the manifest) with the real keys, as an attacker who
 * knows the recovery key, or a buggy writer, could.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { ARCHIVE_FORMAT_VERSION } from './format.js';
import { STREAM_DATA, STREAM_MANIFEST, makeHeader, sealTrailer } from './crypto.js';
import { KIND_FILE, TAG_END, encodeEntryHeader, segmentHeader } from './framing.js';
import { Output, SealedStream } from './writer.js';

const folders: string[] = [];

export async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mn-archive-'));
  folders.push(folder);
  return folder;
}

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

export const testKey = (): Uint8Array => new Uint8Array(randomBytes(32));

/** `size` bytes of a deterministic keystream (AES-CTR of zeros), produced 256 KiB at a time. */
export function generated(size: number, seed: string): Readable {
  const cipher = createCipheriv(
    'aes-256-ctr',
    createHash('sha256').update(seed).digest(),
    Buffer.alloc(16),
  );
  const zeros = Buffer.alloc(256 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

export async function sha256Of(body: Readable | Buffer): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of Buffer.isBuffer(body) ? [body] : body) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** Names in a folder, recursively, with a marker for links: what "unchanged" is compared on. */
export async function listTree(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => `${join(entry.parentPath, entry.name)}${entry.isSymbolicLink() ? ' ->' : ''}`)
    .sort();
}

export interface HostileEntry {
  path: string;
  kind: number;
  mode?: number;
  data?: Buffer;
}

/**
 * Writes an archive with the real format and key but no checks: `framed` goes into the data part as
 * given, `manifest` is stored as given (default: one honest-looking entry per framed entry).
 */
export async function writeHostile(
  target: string,
  key: Uint8Array,
  framed: HostileEntry[],
  manifestEntries?: unknown[],
): Promise<void> {
  const { header, keys } = makeHeader(key, randomBytes(32), 1024);
  const handle = await open(target, 'w');
  const out = new Output(handle);
  await out.write(header);
  const data = new SealedStream(out, keys, STREAM_DATA);
  for (const entry of framed) {
    await data.push(encodeEntryHeader(entry.kind, entry.mode ?? 0o644, entry.path));
    if (entry.kind === KIND_FILE || entry.data) {
      const bytes = entry.data ?? Buffer.alloc(0);
      if (bytes.length > 0) await data.push(Buffer.concat([segmentHeader(bytes.length), bytes]));
      await data.push(segmentHeader(0));
    }
  }
  await data.push(Buffer.from([TAG_END]));
  await data.finish();
  const manifestOffset = out.bytes;
  const entries =
    manifestEntries ??
    framed.map((entry) => {
      const bytes = entry.data ?? Buffer.alloc(0);
      const file = entry.kind === KIND_FILE;
      return {
        path: entry.path,
        kind: file ? 'file' : entry.kind === 2 ? 'dir' : 'symlink',
        size: file ? bytes.length : 0,
        sha256: file ? createHash('sha256').update(bytes).digest('hex') : '',
        mode: entry.mode ?? 0o644,
      };
    });
  const manifest = new SealedStream(out, keys, STREAM_MANIFEST);
  const json = {
    format: ARCHIVE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    entries,
    meta: {},
  };
  await manifest.push(Buffer.from(JSON.stringify(json)));
  await manifest.finish();
  const manifestLength = out.bytes - manifestOffset;
  await out.write(sealTrailer(keys, { manifestOffset, manifestLength, dataChunks: data.chunks }));
  await out.flush();
  await handle.close();
}
