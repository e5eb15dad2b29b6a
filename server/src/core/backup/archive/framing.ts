/**
 * The framing of entries inside the decrypted data stream, and the rules every entry path must
 * follow (docs/backup-format.md, "Entries"). Shared by the writer (which refuses to write a bad
 * entry) and the reader (which treats every archive as hostile).
 *
 *   entry:  'E' (1) | kind (1) | mode (4, BE) | path length (2, BE) | path (UTF-8)
 *           then for a file: segments of  length (4, BE, > 0) | bytes,  ended by a length of 0
 *   end:    'Z' (1), the last byte of the data stream
 */
import { AppError } from '../../app-error.js';
import type { ManifestEntry } from './entry-table.js';
import type { ExtractLimits, Manifest } from './format.js';

export const TAG_ENTRY = 0x45;
export const TAG_END = 0x5a;
export const KIND_FILE = 1;
export const KIND_DIR = 2;
/** The largest segment a reader accepts; the writer never writes one over DEFAULT_CHUNK_SIZE. */
export const MAX_SEGMENT = 16 * 1024 * 1024;
export const MAX_PATH_BYTES = 4096;
/** Permission bits only: setuid, setgid and sticky never survive a round trip. */
export const MODE_MASK = 0o777;

export const DEFAULT_LIMITS: ExtractLimits = {
  maxTotalBytes: 2 * 1024 ** 4,
  maxEntries: 1_000_000,
  maxDepth: 48,
  // A million entries of typical paths is ~200 MB of JSON; the parser holds only the compact
  // table (manifest-parser.ts), never the text.
  maxManifestBytes: 256 * 1024 ** 2,
};

export function unsafe(path: string, why: string): AppError {
  return new AppError(
    'unsafe_entry',
    `The backup archive holds an entry that cannot be restored safely (${JSON.stringify(path.slice(0, 200))}: ${why}).`,
    { path: path.slice(0, 200) },
  );
}

/** A framed kind other than a file or a folder (a link, a device) is never restored. */
export function checkEntryKind(kind: number, path: string): void {
  if (kind !== KIND_FILE && kind !== KIND_DIR) {
    throw unsafe(
      path,
      'a link, device or other special file; only regular files and folders are restored',
    );
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `path` may not be restored, or undefined when it is a plain relative POSIX path. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'an empty path';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return 'a path that is too long';
  if (path.includes('\0')) return 'a NUL byte in the path';
  if (LONE_SURROGATE.test(path)) return 'a path that is not valid Unicode';
  if (path.includes('\\')) return 'a backslash in the path';
  if (path.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'a drive letter';
  const parts = path.split('/');
  if (parts.some((part) => part === '..')) return 'a ".." segment';
  if (parts.some((part) => part === '' || part === '.')) return 'an empty or "." segment';
  return undefined;
}

export function depthOf(path: string): number {
  return path.split('/').length;
}

export function encodeEntryHeader(kind: number, mode: number, path: string): Buffer {
  // Small, so from Node's shared pool: no buffer of its own per entry.
  const length = Buffer.byteLength(path, 'utf8');
  const head = Buffer.allocUnsafe(8 + length);
  head.writeUInt8(TAG_ENTRY, 0);
  head.writeUInt8(kind, 1);
  head.writeUInt32BE(mode, 2);
  head.writeUInt16BE(length, 6);
  head.write(path, 8, 'utf8');
  return head;
}

export function segmentHeader(length: number): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(length, 0);
  return head;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function corruptManifest(why: string): AppError {
  return new AppError('corrupt', `The backup archive's manifest is malformed: ${why}.`);
}

/** One entry of a manifest, checked field by field (manifest-parser.ts reads them one at a time). */
export function parseEntry(raw: unknown, index: number): ManifestEntry {
  if (!isRecord(raw)) throw corruptManifest(`entry ${index} is not an object`);
  const { path, kind, size, sha256, mode } = raw;
  if (typeof path !== 'string') throw corruptManifest(`entry ${index} has no path`);
  // The table keeps paths as UTF-8: one that is not valid Unicode would come back as another name.
  if (LONE_SURROGATE.test(path)) throw unsafe(path, 'a path that is not valid Unicode');
  if (kind !== 'file' && kind !== 'dir') {
    throw unsafe(path, `kind ${JSON.stringify(kind)}; only regular files and folders are restored`);
  }
  const sizeOk = typeof size === 'number' && Number.isSafeInteger(size) && size >= 0;
  if (!sizeOk || (kind === 'dir' && size !== 0)) {
    throw corruptManifest(`entry ${index} has an impossible size`);
  }
  const shaOk = kind === 'dir' ? sha256 === '' : /^[0-9a-f]{64}$/.test(String(sha256));
  if (typeof sha256 !== 'string' || !shaOk) throw corruptManifest(`entry ${index} has no SHA-256`);
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw corruptManifest(`entry ${index} has an impossible mode`);
  }
  return { path, kind, size, sha256, mode };
}

/** The rules every manifest obeys, for paths, kinds and caps (a parsed one, or one just written). */
export function checkManifest(manifest: Manifest, limits: ExtractLimits): void {
  const { entries } = manifest;
  if (entries.length > limits.maxEntries) {
    throw unsafe('', `${entries.length} entries, more than the ${limits.maxEntries} allowed`);
  }
  for (let index = 0; index < entries.length; index += 1) {
    const path = entries.pathOf(index);
    const problem = pathProblem(path);
    if (problem) throw unsafe(path, problem);
    if (depthOf(path) > limits.maxDepth) {
      throw unsafe(path, `deeper than ${limits.maxDepth} folders`);
    }
  }
  const twice = entries.firstDuplicate();
  if (twice !== undefined) throw unsafe(twice, 'listed twice');
  if (entries.totalBytes > limits.maxTotalBytes) {
    throw unsafe(
      '',
      `${entries.totalBytes} bytes in all, more than the ${limits.maxTotalBytes} allowed`,
    );
  }
}

/**
 * `JSON.stringify(manifest)`, byte for byte, in pieces of a thousand entries: the manifest of 100k
 * files is 20 MB of JSON, never held whole.
 */
export function* manifestJson(manifest: Manifest): Generator<Buffer> {
  const { format, createdAt, entries, meta } = manifest;
  const head = JSON.stringify({ format, createdAt });
  yield Buffer.from(`${head.slice(0, -1)},"entries":[`, 'utf8');
  for (let at = 0; at < entries.length; at += 1000) {
    const part = entries.json(at, at + 1000);
    yield Buffer.from(at === 0 ? part : `,${part}`, 'utf8');
  }
  yield Buffer.from(`],"meta":${JSON.stringify(meta)}}`, 'utf8');
}
